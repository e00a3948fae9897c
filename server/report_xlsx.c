/*
 * report_xlsx: see report_xlsx.h. The workbook is written to a temporary
 * name beside path and renamed over it, so a failed write never leaves a
 * truncated workbook where the officer expects one.
 */
#include "report_xlsx.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <xlsxwriter.h>

static const char *const headers[][2] = {
	{ "teacher_id", "教师工号" }, { "teacher_name", "教师姓名" }, { "school", "学校代码" },
	{ "week", "周次" }, { "qualifying", "达标次数" }, { "credited", "计分次数" },
	{ "points", "积分" }, { "sessions", "使用次数" },
	{ "teaching_hours", "授课时长（小时）" },
	{ "weeks_credited", "计分周数" }, { "live_delivered", "直播课已开课" },
	{ "first", "首次使用" }, { "last", "最近使用" }, { "level", "层级" },
	{ "district", "区县" }, { "name", "名称" }, { "classrooms", "教室数" },
	{ "enrolled_devices", "注册设备数" }, { "devices_seen", "在线设备数" },
	{ "active_classrooms", "使用教室数" }, { "coverage_pct", "使用覆盖率（%）" },
	{ "qualifying_sessions", "达标使用次数" }, { "live_scheduled", "直播课安排" },
	{ "live_partial", "直播课部分开课" },
	{ "live_missed", "直播课未开课" }, { "live_unknown", "直播课待核验" },
	{ "live_no_device", "直播课无设备" }, { "equipped_pct", "设备覆盖率（%）" },
	{ "equipment_score", "基础建设与应用得分" }, { "district_score", "区县得分" },
	{ "enrolled_pct", "注册率（%）" }, { "target_pct", "目标（%）" },
	{ "target_met", "是否达标" }, { "explain", "说明" }, { "id", "会话编号" },
	{ "start", "开始时间" }, { "end", "结束时间" }, { "duration_s", "时长（秒）" },
	{ "room", "教室" }, { "reason", "原因" }, { "seq", "序号" }, { "type", "授课类型" },
	{ "subject", "学科" }, { "teacher", "主讲教师" }, { "course", "课程名称" },
	{ "end_role", "角色" }, { "status", "核验结果" }, { "covered_min", "覆盖分钟" },
	{ "device_id", "设备编号" }, { "hostname", "主机名" }, { "online", "在线" },
	{ "last_seen", "最近联系" }, { "clock_offset_s", "时钟偏差（秒）" },
	{ "buffered", "待上传" }, { "agent_version", "版本" },
};

/*
 * Status and reason values in Chinese, the words the console shows
 * (docs/console.md says why each was chosen); JSON keeps the English codes.
 */
static const char *const values[][2] = {
	{ "delivered", "已开课" }, { "partial", "部分开课" }, { "missed", "未开课" },
	{ "unknown", "待核验" }, { "no_device", "无设备" }, { "deliver", "主讲端" },
	{ "receive", "接收端" }, { "school", "学校" }, { "district", "区县" },
	{ "total", "合计" }, { "credited", "已计分" }, { "weekly cap reached", "超出每周上限" },
	{ "unattributed", "未归属" },
};
/* The columns whose values are words, not data. */
static const char *const value_columns[] = { "status", "end_role", "level", "reason" };

const char *report_xlsx_value(const char *v)
{
	for (size_t i = 0; v && i < sizeof(values) / sizeof(values[0]); i++)
		if (strcmp(values[i][0], v) == 0)
			return values[i][1];
	return v;
}

static int value_zh(const char *in, char *out, size_t n)
{
	const char *zh = report_xlsx_value(in);
	long long v;
	char unit[4];
	int used = -1;

	if (zh != in) {
		snprintf(out, n, "%s", zh);
		return 1;
	}
	/* points_reason_text: "shorter than 15 min" / "shorter than 90 s". */
	if (sscanf(in, "shorter than %lld %3s%n", &v, unit, &used) == 2 &&
	    used == (int)strlen(in) && (strcmp(unit, "min") == 0 || strcmp(unit, "s") == 0)) {
		snprintf(out, n, "不足%lld%s", v, unit[0] == 'm' ? "分钟" : "秒");
		return 1;
	}
	return 0;
}

/* Translate the word-valued columns; call before the headers are renamed. */
static int values_zh(struct report *rep, struct bbt_error *e)
{
	for (size_t c = 0; c < report_ncols(rep); c++)
		for (size_t k = 0; k < sizeof(value_columns) / sizeof(value_columns[0]); k++)
			if (strcmp(report_column(rep, c), value_columns[k]) == 0 &&
			    report_map_column(rep, c, value_zh) < 0)
				return bbt_error_set(e, "out of memory");
	return 0;
}

const char *report_xlsx_header(const char *key)
{
	for (size_t i = 0; i < sizeof(headers) / sizeof(headers[0]); i++)
		if (strcmp(headers[i][0], key) == 0)
			return headers[i][1];
	return key;
}

/* "2026-11-16T08:00:00+08:00" (or Z) -> the wall-clock time it names. */
static int iso_time(const char *s, lxw_datetime *dt)
{
	int y, mo, d, h, mi, sec, n = -1;

	if (strlen(s) < 20 || s[10] != 'T' ||
	    sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 ||
	    n != 19 || !(s[19] == 'Z' || s[19] == '+' || s[19] == '-'))
		return 0;
	*dt = (lxw_datetime){ y, mo, d, h, mi, sec };
	return 1;
}

static int one_decimal(const char *key)
{
	size_t n = strlen(key);

	return (n > 4 && strcmp(key + n - 4, "_pct") == 0) || strcmp(key, "teaching_hours") == 0;
}

struct formats {
	lxw_format *bold, *time, *tenth, *text;
};

static lxw_error put_cell(lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, const char *key,
    const cJSON *v, const struct formats *f)
{
	lxw_datetime dt;

	if (v == NULL || cJSON_IsNull(v))
		return LXW_NO_ERROR;
	if (cJSON_IsBool(v))
		return worksheet_write_boolean(ws, r, c, cJSON_IsTrue(v), NULL);
	if (cJSON_IsNumber(v))
		return worksheet_write_number(ws, r, c, v->valuedouble,
		    one_decimal(key) ? f->tenth : NULL);
	if (cJSON_IsString(v) && iso_time(v->valuestring, &dt))
		return worksheet_write_datetime(ws, r, c, &dt, f->time);
	if (cJSON_IsString(v))
		return worksheet_write_string(ws, r, c, v->valuestring, f->text);
	return LXW_NO_ERROR;
}

/* The header row: Chinese (zh) or the column keys; frozen, so it stays in
 * view while the officer scrolls. */
static lxw_error put_header(lxw_worksheet *ws, const struct report *rep, int zh,
    lxw_format *bold)
{
	lxw_error err = LXW_NO_ERROR;

	for (size_t c = 0; c < report_ncols(rep) && err == LXW_NO_ERROR; c++) {
		const char *key = report_column(rep, c);

		err = worksheet_write_string(ws, 0, (lxw_col_t)c,
		    zh ? report_xlsx_header(key) : key, bold);
	}
	worksheet_freeze_panes(ws, 1, 0);
	return err;
}

int report_xlsx_write(const struct report *rep, const char *path, const char *zone,
    const char *sheet, struct bbt_error *e)
{
	return report_xlsx_write_lang(rep, path, sheet, 1, e);
}

int report_xlsx_write_lang(const struct report *rep, const char *path, const char *sheet,
    int zh, struct bbt_error *e)
{
	char tmp[4096];
	lxw_workbook *wb;
	lxw_worksheet *ws;
	struct formats f;
	lxw_error err = LXW_NO_ERROR;
	lxw_row_t r = 1;
	size_t nc = report_ncols(rep), nr = report_nrows(rep);
	int oom = 0;

	snprintf(tmp, sizeof(tmp), "%s.tmp%ld", path, (long)getpid());
	wb = workbook_new(tmp);
	if (wb == NULL)
		return bbt_error_set(e, "%s: cannot create the workbook", path);
	ws = workbook_add_worksheet(wb, sheet);
	f.bold = workbook_add_format(wb);
	format_set_bold(f.bold);
	f.time = workbook_add_format(wb);
	format_set_num_format(f.time, "yyyy-mm-dd hh:mm:ss");
	f.tenth = workbook_add_format(wb);
	format_set_num_format(f.tenth, "0.0");
	f.text = workbook_add_format(wb);
	format_set_num_format(f.text, "@");
	err = put_header(ws, rep, zh, f.bold);
	/* A row's JSON at a time (report_row_json), never the whole report's. */
	for (size_t k = 0; k < nr && err == LXW_NO_ERROR && !oom; k++) {
		cJSON *row = report_row_json(rep, k);

		oom = row == NULL;
		for (size_t c = 0; row != NULL && c < nc && err == LXW_NO_ERROR; c++) {
			const char *key = report_column(rep, c);

			err = put_cell(ws, r, (lxw_col_t)c, key, cJSON_GetObjectItem(row, key), &f);
		}
		cJSON_Delete(row);
		r++;
	}
	if (err == LXW_NO_ERROR && !oom)
		err = workbook_close(wb);
	else
		workbook_close(wb);
	if (err != LXW_NO_ERROR || oom) {
		unlink(tmp);
		return oom ? bbt_error_set(e, "out of memory") :
		    bbt_error_set(e, "%s: %s", path, lxw_strerror(err));
	}
	if (rename(tmp, path) != 0) {
		unlink(tmp);
		return bbt_error_set(e, "%s: %s", path, strerror(errno));
	}
	return 0;
}

int report_xlsx_format_parse(const char *s, enum report_format *f, int *xlsx,
    struct bbt_error *e)
{
	*xlsx = s != NULL && strcmp(s, "xlsx") == 0;
	if (*xlsx)
		return 0;
	if (report_format_parse(s, f, e) < 0)
		return bbt_error_set(e, "bad format '%.32s' (want table, csv, json or xlsx)",
		    s ? s : "");
	return 0;
}

/* Table and CSV headers in Chinese: rename the columns (JSON keys never
 * change, so this is only done for those two). */
static int headers_zh(struct report *rep, struct bbt_error *e)
{
	for (size_t c = 0; c < report_ncols(rep); c++)
		if (report_set_column(rep, c, report_xlsx_header(report_column(rep, c))) < 0)
			return bbt_error_set(e, "out of memory");
	return 0;
}

int report_xlsx_output(struct report *rep, int xlsx, enum report_format f,
    const char *out, int zh, const char *sheet, struct bbt_error *e)
{
	FILE *fp = stdout;
	int rc;

	if (xlsx && out == NULL)
		return bbt_error_set(e, "--format xlsx needs --out FILE");
	if (zh && f != REPORT_JSON && values_zh(rep, e) < 0)
		return -1;
	if (xlsx)
		return report_xlsx_write_lang(rep, out, sheet, zh, e);
	if (zh && f != REPORT_JSON && headers_zh(rep, e) < 0)
		return -1;
	if (out != NULL && (fp = fopen(out, "w")) == NULL)
		return bbt_error_set(e, "%s: %s", out, strerror(errno));
	rc = report_write(rep, f, fp, e);
	if (fp != stdout && fclose(fp) != 0 && rc == 0)
		rc = bbt_error_set(e, "%s: %s", out, strerror(errno));
	return rc;
}
