/*
 * ini_win: ini_parse_stream with libinih r55's rules as Debian builds it
 * (see agent/win/include/ini.h for why it is here): a UTF-8 BOM is skipped,
 * ';' and '#' start comment lines, ';' after whitespace starts an inline
 * comment, "[section]", "name = value" or "name: value" with blanks
 * stripped, indented lines continue the previous value (multiline), a
 * handler returning 0 or a malformed line records the first error line and
 * parsing goes on. Lines are read into a fixed INI_MAX_LINE buffer.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "ini.h"

static char *rstrip(char *s)
{
	char *p = s + strlen(s);

	while (p > s && isspace((unsigned char)*--p))
		*p = '\0';
	return s;
}

static char *lskip(const char *s)
{
	while (*s && isspace((unsigned char)*s))
		s++;
	return (char *)s;
}

/* First of chars in s, or an inline ';' preceded by whitespace; else the end. */
static char *find_chars_or_comment(const char *s, const char *chars)
{
	int was_space = 0;

	while (*s && (!chars || !strchr(chars, *s)) && !(was_space && *s == ';')) {
		was_space = isspace((unsigned char)*s);
		s++;
	}
	return (char *)s;
}

static void copy(char *dst, const char *src, size_t size)
{
	snprintf(dst, size, "%s", src);	/* truncates, as inih does */
}

int ini_parse_stream(ini_reader reader, void *stream, ini_handler handler, void *user)
{
	char line[INI_MAX_LINE], section[50] = "", prev_name[50] = "";
	char *start, *end, *name, *value;
	int lineno = 0, error = 0;

	while (reader(line, INI_MAX_LINE, stream) != NULL) {
		lineno++;
		start = line;
		if (lineno == 1 && (unsigned char)start[0] == 0xEF &&
		    (unsigned char)start[1] == 0xBB && (unsigned char)start[2] == 0xBF)
			start += 3;
		start = rstrip(lskip(start));
		if (strchr(";#", *start) && *start) {
			continue;
		} else if (*prev_name && *start && start > line) {
			end = find_chars_or_comment(start, NULL);
			if (*end)
				*end = '\0';
			rstrip(start);
			if (!handler(user, section, prev_name, start) && !error)
				error = lineno;
		} else if (*start == '[') {
			end = find_chars_or_comment(start + 1, "]");
			if (*end == ']') {
				*end = '\0';
				copy(section, start + 1, sizeof(section));
				*prev_name = '\0';
			} else if (!error) {
				error = lineno;
			}
		} else if (*start) {
			end = find_chars_or_comment(start, "=:");
			if (*end == '=' || *end == ':') {
				*end = '\0';
				name = rstrip(start);
				value = end + 1;
				end = find_chars_or_comment(value, NULL);
				if (*end)
					*end = '\0';
				value = lskip(value);
				rstrip(value);
				copy(prev_name, name, sizeof(prev_name));
				if (!handler(user, section, name, value) && !error)
					error = lineno;
			} else if (!error) {
				error = lineno;
			}
		}
	}
	return error;
}
