/*
 * bbt_log: printf-checked logging for both programs.
 *
 * In the foreground lines go to stderr as "prog: level: message"; a daemon
 * started by systemd also writes to stderr (journald adds time and unit).
 * The Windows service has no journal: bbt_log_to_file sends the lines to a
 * file instead, each with its local time, rotated at a size bound.
 * The level is checked before formatting, so debug calls cost nothing when
 * disabled. log_warn_errno/log_err_errno append strerror(errno).
 */
#ifndef BBT_LOG_H
#define BBT_LOG_H

enum bbt_log_level { BBT_LOG_DEBUG, BBT_LOG_INFO, BBT_LOG_WARN, BBT_LOG_ERR };

void bbt_log_init(const char *prog, enum bbt_log_level level);
void bbt_log_set_level(enum bbt_log_level level);
/* "debug", "info", "warning", "error" (the config's words); else info. */
enum bbt_log_level bbt_log_level_from_name(const char *name);
int bbt_log_enabled(enum bbt_log_level level);
/*
 * From now on lines go to the file PATH (appended, created if missing),
 * not stderr, as "2026-12-03T14:20:05+08:00 prog: level: message" (the
 * local time), flushed
 * each. Before a line that would take PATH past max_bytes, PATH becomes
 * PATH.1 (replacing the older copy) and a new PATH is begun: at most
 * 2 * max_bytes on disk (a single line longer than max_bytes gets a file of
 * its own), and every line since the start of PATH.1 is kept; what was in
 * the copy before is gone (one old copy). If PATH cannot be renamed (held
 * open without delete sharing on Windows), it is emptied instead, and its
 * first line says so. PATH NULL: back to stderr. 0, or -1 with errno (the
 * lines then stay where they went).
 */
int bbt_log_to_file(const char *path, long max_bytes);
void bbt_log_write(enum bbt_log_level level, int with_errno, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define log_debug(...) do { if (bbt_log_enabled(BBT_LOG_DEBUG)) \
	bbt_log_write(BBT_LOG_DEBUG, 0, __VA_ARGS__); } while (0)
#define log_info(...) bbt_log_write(BBT_LOG_INFO, 0, __VA_ARGS__)
#define log_warn(...) bbt_log_write(BBT_LOG_WARN, 0, __VA_ARGS__)
#define log_err(...) bbt_log_write(BBT_LOG_ERR, 0, __VA_ARGS__)
#define log_warn_errno(...) bbt_log_write(BBT_LOG_WARN, 1, __VA_ARGS__)
#define log_err_errno(...) bbt_log_write(BBT_LOG_ERR, 1, __VA_ARGS__)

#endif
