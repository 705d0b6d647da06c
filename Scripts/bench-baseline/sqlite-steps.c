/*
 * sqlite-steps: the raw-SQLite baseline for Scripts/bench-steps.
 *
 * How many "step" transactions per second SQLite itself does, through its C API, on the same two
 * tables as Kaiban (registration_case and case_event, with every index and trigger of migrations
 * 0001-0008) and with the durability the application is meant to have: WAL, synchronous=FULL,
 * foreign keys on, a 15 s busy timeout.
 *
 *   gcc -O2 -o sqlite-steps sqlite-steps.c -lsqlite3
 *   sqlite-steps DBFILE CASES STEPS_PER_CASE        e.g. sqlite-steps /tmp/b.sqlite 2000 3
 *
 * DBFILE must not exist (nor its -wal and -shm). CASES cases, each with an opening event carrying
 * ~0.8 KB of data_json (the application), are written in one untimed transaction. Then,
 * timed, CASES * STEPS_PER_CASE transactions, case by case (case 1 step 1, case 2 step 1, ...,
 * then step 2 of every case, ...), each exactly:
 *
 *   BEGIN IMMEDIATE
 *   SELECT the case row by its number (unique index)
 *   INSERT one case_event row (the next sequence; the case id looked up by number)
 *   UPDATE registration_case SET stage, version, updated_at, clock_segments, government_minutes,
 *       remaining_minutes, due_at WHERE number = ? AND version = ?   (exactly one row, or an error)
 *   COMMIT
 *
 * with prepared statements reused across transactions. Prints one line:
 *
 *   raw-sqlite: 6000 transactions in 1.234 s = 4862 tx/s
 *
 * and exits 0; on any SQLite error prints it with its statement to stderr and exits 1.
 *
 * For a side experiment only, -DSTEPS_SYNCHRONOUS='"NORMAL"' compiles a variant with
 * synchronous=NORMAL (what GRDB sets on a DatabasePool unless told otherwise).
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#ifndef STEPS_SYNCHRONOUS
#define STEPS_SYNCHRONOUS "FULL"
#endif

static sqlite3 *db;

/* Stops the program on an SQLite error, naming the call and the statement. */
static void fail(const char *call, int rc, const char *sql) {
    fprintf(stderr, "sqlite-steps: %s failed: %s (%d: %s)\n  statement: %s\n", call,
            db ? sqlite3_errmsg(db) : "(no connection)", rc, sqlite3_errstr(rc), sql ? sql : "(none)");
    exit(1);
}

static void check(int rc, int expected, const char *call, const char *sql) {
    if (rc != expected) fail(call, rc, sql);
}

static void fatal(const char *message, const char *detail) {
    fprintf(stderr, "sqlite-steps: %s%s%s\n", message, detail ? ": " : "", detail ? detail : "");
    exit(1);
}

static void exec(const char *sql) {
    char *message = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &message);
    if (rc != SQLITE_OK) {
        fprintf(stderr, "sqlite-steps: sqlite3_exec failed: %s (%d: %s)\n  statement: %s\n",
                message ? message : sqlite3_errmsg(db), rc, sqlite3_errstr(rc), sql);
        sqlite3_free(message);
        exit(1);
    }
}

/* A statement prepared once and reused (as GRDB's cachedStatement does). */
typedef struct {
    sqlite3_stmt *stmt;
    const char *sql;
} Statement;

static Statement prepare(const char *sql) {
    Statement s = {NULL, sql};
    check(sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s.stmt, NULL), SQLITE_OK,
          "sqlite3_prepare_v3", sql);
    if (!s.stmt) fatal("empty statement", sql);
    return s;
}

static void bind_text(Statement *s, int index, const char *text) {
    check(sqlite3_bind_text(s->stmt, index, text, -1, SQLITE_STATIC), SQLITE_OK, "sqlite3_bind_text", s->sql);
}

static void bind_int(Statement *s, int index, sqlite3_int64 value) {
    check(sqlite3_bind_int64(s->stmt, index, value), SQLITE_OK, "sqlite3_bind_int64", s->sql);
}

static void bind_null(Statement *s, int index) {
    check(sqlite3_bind_null(s->stmt, index), SQLITE_OK, "sqlite3_bind_null", s->sql);
}

/* Runs a statement that returns no row, and resets it for the next use. */
static void run(Statement *s) {
    check(sqlite3_step(s->stmt), SQLITE_DONE, "sqlite3_step", s->sql);
    check(sqlite3_reset(s->stmt), SQLITE_OK, "sqlite3_reset", s->sql);
}

static void finalize(Statement *s) {
    check(sqlite3_finalize(s->stmt), SQLITE_OK, "sqlite3_finalize", s->sql);
    s->stmt = NULL;
}

/* One PRAGMA whose answer must be `expected` (as text). */
static void pragma(const char *sql, const char *expected) {
    Statement s = prepare(sql);
    check(sqlite3_step(s.stmt), SQLITE_ROW, "sqlite3_step", sql);
    const char *answer = (const char *)sqlite3_column_text(s.stmt, 0);
    if (!answer || strcmp(answer, expected) != 0) {
        fprintf(stderr, "sqlite-steps: %s answered %s, expected %s\n", sql, answer ? answer : "NULL", expected);
        exit(1);
    }
    check(sqlite3_step(s.stmt), SQLITE_DONE, "sqlite3_step", sql);
    finalize(&s);
}

/* Instants as GRDB stores them: "2026-11-26 09:05:00.000" (UTC). */
static void instant_text(char out[32], time_t t) {
    struct tm tm;
    if (!gmtime_r(&t, &tm) || strftime(out, 32, "%Y-%m-%d %H:%M:%S.000", &tm) == 0) fatal("cannot format an instant", NULL);
}

/* The same instant as the JSON encoder writes it: "2026-11-26T09:05:00Z". */
static void iso_text(char out[32], time_t t) {
    struct tm tm;
    if (!gmtime_r(&t, &tm) || strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) fatal("cannot format an instant", NULL);
}

/* Case i (0-based): 800 intakes a day from 2026-11-26, one every 30 s from 09:00 hall time (UTC+8);
 * numbered by the hall's date, like 510811-20261126-0001. Steps come 5 minutes apart. */
enum { PER_DAY = 800, STEP_SECONDS = 300, HALL_OFFSET = 8 * 3600 };
static const time_t first_day = 1795622400; /* 2026-11-26 00:00:00 hall time = 2026-11-25 16:00:00 UTC */

static time_t opened_at(long i) { return first_day + (time_t)(i / PER_DAY) * 86400 + 9 * 3600 + (i % PER_DAY) * 30; }

static void case_number(char out[40], long i) {
    struct tm tm;
    time_t day = first_day + (time_t)(i / PER_DAY) * 86400 + HALL_OFFSET;
    char date[16];
    if (!gmtime_r(&day, &tm) || strftime(date, sizeof date, "%Y%m%d", &tm) == 0) fatal("cannot format a date", NULL);
    snprintf(out, 40, "510811-%s-%04ld", date, i % PER_DAY + 1);
}

/* The workflow's main line, cycled when a case takes more steps than it has. */
static const struct {
    const char *transition, *to_stage, *role, *actor, *effect;
} line[] = {
    {"accept", "accepted", "window", "wangfang", "r"},   {"review", "review", "reviewer", "lijun", "r"},
    {"approve", "approved", "reviewer", "lijun", "r"},   {"issue-licence", "startup", "window", "wangfang", "r"},
    {"complete", "completed", "window", "wangfang", "s"}, {"resubmit", "received", "window", "wangfang", "r"},
};
enum { LINE = sizeof line / sizeof line[0] };

/* clock_segments after `steps` steps: "r,received,1795658400,1795658700;r,accepted,1795658700," */
static void clock_segments(char *out, size_t size, time_t opened, int steps) {
    size_t used = 0;
    for (int k = 0; k <= steps; k++) {
        const char *stage = k == 0 ? "received" : line[(k - 1) % LINE].to_stage;
        const char *effect = k == 0 ? "r" : line[(k - 1) % LINE].effect;
        time_t start = opened + (time_t)k * STEP_SECONDS;
        char end[24] = "";
        if (k < steps) snprintf(end, sizeof end, "%lld", (long long)(start + STEP_SECONDS));
        int n = snprintf(out + used, size - used, "%s%s,%s,%lld,%s", k ? ";" : "", effect, stage, (long long)start, end);
        if (n < 0 || (size_t)n >= size - used) fatal("clock_segments too long", NULL);
        used += (size_t)n;
    }
}

/* What the application stores for one opening: the application and the workflow version. */
static const char application_json[] =
    "{\"businessScope\":\"农业技术推广服务；农业科学研究和试验发展；农产品的生产、销售\",\"channel\":\"window\","
    "\"contact\":{\"name\":\"张伟\",\"phone\":\"13800000000\"},\"domicile\":\"四川省广元市昭化区元坝镇中街12号\","
    "\"domicileDivision\":\"510811\",\"enterpriseType\":\"llc\",\"investors\":[{\"contribution\":30000000,"
    "\"form\":\"货币\",\"idNumber\":\"11010519491231002X\",\"kind\":\"person\",\"name\":\"张伟\"},"
    "{\"contribution\":20000000,\"form\":\"货币\",\"idNumber\":\"510811198503120178\",\"kind\":\"person\","
    "\"name\":\"李秀英\"}],\"legalRepresentative\":{\"idNumber\":\"11010519491231002X\",\"name\":\"张伟\"},"
    "\"proposedName\":\"广元市昭化区青禾农业科技有限公司\",\"registeredCapital\":50000000,"
    "\"requestedTasks\":[\"seal\",\"tax\",\"bank\"]}";

static const char *const schema =
    "CREATE TABLE \"workflow_definition\" (\"workflow_id\" TEXT NOT NULL, \"version\" INTEGER NOT NULL, "
    "\"title\" TEXT NOT NULL, \"source_xml\" TEXT NOT NULL, \"definition_json\" TEXT NOT NULL, "
    "\"registered_at\" DATETIME NOT NULL, PRIMARY KEY (\"workflow_id\", \"version\"));\n"
    "INSERT INTO workflow_definition VALUES ('company-formation', 1, '有限责任公司设立登记', '<workflow/>', '{}', "
    "'2026-11-01 00:00:00.000');\n"
    /* The schema as migrations 0001-0008 leave it (sqlite3 .schema of a migrated database). */
    "CREATE TABLE registration_case (id INTEGER PRIMARY KEY, number TEXT NOT NULL UNIQUE, "
    "workflow_id TEXT NOT NULL, workflow_version INTEGER NOT NULL, stage TEXT NOT NULL, version INTEGER NOT NULL, "
    "channel TEXT NOT NULL, enterprise_type TEXT NOT NULL, proposed_name TEXT NOT NULL, opened_by TEXT NOT NULL, "
    "opened_at DATETIME NOT NULL, updated_at DATETIME NOT NULL, closed_at DATETIME, "
    "clock_segments TEXT NOT NULL DEFAULT '', trade_name TEXT NOT NULL DEFAULT '', "
    "industry TEXT NOT NULL DEFAULT '', government_minutes INTEGER, remaining_minutes INTEGER, due_at INTEGER, "
    "FOREIGN KEY (workflow_id, workflow_version) REFERENCES workflow_definition(workflow_id, version));\n"
    "CREATE TABLE case_event (case_id INTEGER NOT NULL REFERENCES registration_case(id) ON DELETE RESTRICT, "
    "sequence INTEGER NOT NULL, at INTEGER NOT NULL, kind INTEGER NOT NULL, actor TEXT NOT NULL, role TEXT, "
    "transition TEXT, from_stage TEXT, to_stage TEXT, task TEXT, reason TEXT, "
    "automatic INTEGER NOT NULL DEFAULT 0, data_json TEXT, credit_code TEXT, "
    "recorded_at INTEGER, recorded_by TEXT, late_reason TEXT, "
    "PRIMARY KEY (case_id, sequence)) WITHOUT ROWID;\n"
    "CREATE TRIGGER case_event_no_update BEFORE UPDATE ON case_event\n"
    "BEGIN SELECT RAISE(ABORT, 'case history is append-only'); END;\n"
    "CREATE TRIGGER case_event_no_delete BEFORE DELETE ON case_event\n"
    "BEGIN SELECT RAISE(ABORT, 'case history is append-only'); END;\n"
    "CREATE TRIGGER case_event_no_replace BEFORE INSERT ON case_event\n"
    "WHEN EXISTS (SELECT 1 FROM case_event WHERE case_id = NEW.case_id AND sequence = NEW.sequence)\n"
    "BEGIN SELECT RAISE(ABORT, 'case history is append-only'); END;\n"
    "CREATE INDEX registration_case_report ON registration_case(closed_at, stage, channel, enterprise_type, "
    "opened_by, workflow_id, workflow_version, government_minutes) WHERE closed_at IS NOT NULL;\n"
    "CREATE INDEX registration_case_open_names ON registration_case(trade_name, industry) WHERE closed_at IS NULL;\n"
    "CREATE INDEX registration_case_due ON registration_case(due_at, number) "
    "WHERE closed_at IS NULL AND due_at IS NOT NULL;\n"
    "CREATE INDEX registration_case_waiting ON registration_case(remaining_minutes IS NULL, remaining_minutes, "
    "opened_at, number) WHERE closed_at IS NULL AND due_at IS NULL;\n";

/* The application's statements, as in CaseStore+Cases.swift (the UPDATE narrowed as specified). */
static const char insert_case_sql[] =
    "INSERT INTO registration_case (number, workflow_id, workflow_version, stage, version, channel, "
    "enterprise_type, proposed_name, opened_by, opened_at, updated_at, closed_at, clock_segments, "
    "trade_name, industry, government_minutes, remaining_minutes, due_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char insert_event_sql[] =
    "INSERT INTO case_event (case_id, sequence, at, kind, actor, role, transition, from_stage, to_stage, task, "
    "reason, automatic, data_json, credit_code, recorded_at, recorded_by, late_reason) "
    "VALUES ((SELECT id FROM registration_case WHERE number = ?), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char select_case_sql[] = "SELECT stage, version FROM registration_case WHERE number = ?";
static const char update_case_sql[] =
    "UPDATE registration_case SET stage = ?, version = ?, updated_at = ?, clock_segments = ?, "
    "government_minutes = ?, remaining_minutes = ?, due_at = ? WHERE number = ? AND version = ?";

static long parse_count(const char *text, const char *name, long max) {
    char *end;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (errno || end == text || *end || value < 1 || value > max) {
        fprintf(stderr, "sqlite-steps: %s must be a whole number from 1 to %ld, not '%s'\n", name, max, text);
        exit(2);
    }
    return value;
}

static int exists(const char *path) {
    struct stat st;
    if (stat(path, &st) == 0) return 1;
    if (errno != ENOENT) {
        fprintf(stderr, "sqlite-steps: %s: %s\n", path, strerror(errno));
        exit(1);
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: sqlite-steps DBFILE CASES STEPS_PER_CASE   (e.g. sqlite-steps /tmp/b.sqlite 2000 3)\n");
        return 2;
    }
    const char *path = argv[1];
    long cases = parse_count(argv[2], "CASES", 10000000);
    long steps = parse_count(argv[3], "STEPS_PER_CASE", 100);
    const char *suffixes[] = {"", "-wal", "-shm", "-journal"};
    for (size_t k = 0; k < sizeof suffixes / sizeof suffixes[0]; k++) {
        char file[PATH_MAX];
        if (snprintf(file, sizeof file, "%s%s", path, suffixes[k]) >= (int)sizeof file) fatal("path too long", path);
        if (exists(file)) fatal("already exists (give a fresh path)", file);
    }

    int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc != SQLITE_OK) {
        fprintf(stderr, "sqlite-steps: cannot open %s: %s (%d)\n", path, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc), rc);
        return 1;
    }
    check(sqlite3_extended_result_codes(db, 1), SQLITE_OK, "sqlite3_extended_result_codes", NULL);
    check(sqlite3_busy_timeout(db, 15000), SQLITE_OK, "sqlite3_busy_timeout", NULL);
    pragma("PRAGMA journal_mode = WAL", "wal");
    exec("PRAGMA synchronous = " STEPS_SYNCHRONOUS);
    pragma("PRAGMA synchronous", strcmp(STEPS_SYNCHRONOUS, "FULL") == 0 ? "2" : "1");
    exec("PRAGMA foreign_keys = ON");
    pragma("PRAGMA foreign_keys", "1");

    exec("BEGIN IMMEDIATE");
    exec(schema);
    exec("COMMIT");

    Statement begin = prepare("BEGIN IMMEDIATE TRANSACTION");
    Statement commit = prepare("COMMIT TRANSACTION");
    Statement insert_case = prepare(insert_case_sql);
    Statement insert_event = prepare(insert_event_sql);
    Statement select_case = prepare(select_case_sql);
    Statement update_case = prepare(update_case_sql);

    /* The cases, untimed, in one transaction. */
    size_t json_size = sizeof application_json + 1024;
    char *data_json = malloc(json_size);
    if (!data_json) fatal("out of memory", NULL);
    run(&begin);
    for (long i = 0; i < cases; i++) {
        char number[40], at[32], iso[32], segments[64];
        time_t opened = opened_at(i);
        case_number(number, i);
        instant_text(at, opened);
        iso_text(iso, opened);
        clock_segments(segments, sizeof segments, opened, 0);
        int n = snprintf(data_json, json_size, "{\"application\":%s,\"definition\":{\"id\":\"company-formation\",\"version\":1}}",
                     application_json);
        if (n < 0 || (size_t)n >= json_size) fatal("data_json too long", NULL);

        bind_text(&insert_case, 1, number);
        bind_text(&insert_case, 2, "company-formation");
        bind_int(&insert_case, 3, 1);
        bind_text(&insert_case, 4, "received");
        bind_int(&insert_case, 5, 1);
        bind_text(&insert_case, 6, "window");
        bind_text(&insert_case, 7, "llc");
        bind_text(&insert_case, 8, "广元市昭化区青禾农业科技有限公司");
        bind_text(&insert_case, 9, "wangfang");
        bind_text(&insert_case, 10, at);
        bind_text(&insert_case, 11, at);
        bind_null(&insert_case, 12);
        bind_text(&insert_case, 13, segments);
        bind_text(&insert_case, 14, "青禾");
        bind_text(&insert_case, 15, "农业科技");
        bind_int(&insert_case, 16, 0);
        bind_int(&insert_case, 17, 192);
        bind_int(&insert_case, 18, (sqlite3_int64)opened + 4 * 3600);
        run(&insert_case);

        bind_text(&insert_event, 1, number);
        bind_int(&insert_event, 2, 1);
        bind_int(&insert_event, 3, (sqlite3_int64)opened);
        bind_int(&insert_event, 4, 0);
        bind_text(&insert_event, 5, "wangfang");
        bind_text(&insert_event, 6, "window");
        bind_null(&insert_event, 7);
        bind_null(&insert_event, 8);
        bind_text(&insert_event, 9, "received");
        bind_null(&insert_event, 10);
        bind_null(&insert_event, 11);
        bind_int(&insert_event, 12, 0);
        bind_text(&insert_event, 13, data_json);
        bind_null(&insert_event, 14);
        bind_int(&insert_event, 15, (sqlite3_int64)opened);
        bind_null(&insert_event, 16);
        bind_null(&insert_event, 17);
        run(&insert_event);
    }
    run(&commit);

    /* The steps, timed: one transaction each. */
    long transactions = cases * steps;
    struct timespec start, end;
    if (clock_gettime(CLOCK_MONOTONIC, &start) != 0) fatal("clock_gettime", strerror(errno));
    for (long s = 0; s < steps; s++) {
        for (long i = 0; i < cases; i++) {
            char number[40], at[32], stage[32], segments[8192];
            case_number(number, i);
            time_t opened = opened_at(i);

            run(&begin);

            bind_text(&select_case, 1, number);
            check(sqlite3_step(select_case.stmt), SQLITE_ROW, "sqlite3_step", select_case.sql);
            const unsigned char *current = sqlite3_column_text(select_case.stmt, 0);
            sqlite3_int64 version = sqlite3_column_int64(select_case.stmt, 1);
            if (!current || strlen((const char *)current) >= sizeof stage) fatal("unexpected case row", number);
            strcpy(stage, (const char *)current);
            check(sqlite3_reset(select_case.stmt), SQLITE_OK, "sqlite3_reset", select_case.sql);
            if (version != s + 1) fatal("unexpected case version", number);

            const int k = (int)(s % LINE);
            instant_text(at, opened + (time_t)(s + 1) * STEP_SECONDS);
            clock_segments(segments, sizeof segments, opened, (int)(s + 1));

            bind_text(&insert_event, 1, number);
            bind_int(&insert_event, 2, version + 1);
            bind_int(&insert_event, 3, (sqlite3_int64)(opened + (time_t)(s + 1) * STEP_SECONDS));
            bind_int(&insert_event, 4, 1);
            bind_text(&insert_event, 5, line[k].actor);
            bind_text(&insert_event, 6, line[k].role);
            bind_text(&insert_event, 7, line[k].transition);
            bind_text(&insert_event, 8, stage);
            bind_text(&insert_event, 9, line[k].to_stage);
            bind_null(&insert_event, 10);
            bind_null(&insert_event, 11);
            bind_int(&insert_event, 12, 0);
            bind_null(&insert_event, 13);
            bind_null(&insert_event, 14);
            bind_int(&insert_event, 15, (sqlite3_int64)(opened + (time_t)(s + 1) * STEP_SECONDS));
            bind_null(&insert_event, 16);
            bind_null(&insert_event, 17);
            run(&insert_event);

            bind_text(&update_case, 1, line[k].to_stage);
            bind_int(&update_case, 2, version + 1);
            bind_text(&update_case, 3, at);
            bind_text(&update_case, 4, segments);
            bind_int(&update_case, 5, (sqlite3_int64)(s + 1) * 5);
            bind_int(&update_case, 6, 192 - (sqlite3_int64)(s + 1) * 5);
            bind_int(&update_case, 7, (sqlite3_int64)opened + 4 * 3600);
            bind_text(&update_case, 8, number);
            bind_int(&update_case, 9, version);
            run(&update_case);
            if (sqlite3_changes(db) != 1) fatal("the UPDATE did not change exactly one row", number);

            run(&commit);
        }
    }
    if (clock_gettime(CLOCK_MONOTONIC, &end) != 0) fatal("clock_gettime", strerror(errno));
    double seconds = (double)(end.tv_sec - start.tv_sec) + (double)(end.tv_nsec - start.tv_nsec) / 1e9;

    /* Untimed: everything written is there. */
    Statement count = prepare("SELECT (SELECT count(*) FROM case_event), (SELECT sum(version) FROM registration_case)");
    check(sqlite3_step(count.stmt), SQLITE_ROW, "sqlite3_step", count.sql);
    if (sqlite3_column_int64(count.stmt, 0) != cases * (steps + 1) || sqlite3_column_int64(count.stmt, 1) != cases * (steps + 1))
        fatal("the database does not hold every step", NULL);
    check(sqlite3_step(count.stmt), SQLITE_DONE, "sqlite3_step", count.sql);
    finalize(&count);

    Statement *all[] = {&begin, &commit, &insert_case, &insert_event, &select_case, &update_case};
    for (size_t k = 0; k < sizeof all / sizeof all[0]; k++) finalize(all[k]);
    check(sqlite3_close(db), SQLITE_OK, "sqlite3_close", NULL);
    db = NULL;
    free(data_json);

    printf("raw-sqlite: %ld transactions in %.3f s = %.0f tx/s\n", transactions, seconds, transactions / seconds);
    return 0;
}
