/* cfgfile: check a config file and its includes, then let libconfig parse it. */
#define _POSIX_C_SOURCE 200809L
#include "cfgfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
    cc_diag *diag;
    const char *dir;       /* include folder: every include is dir + "/" + name */
    size_t total;          /* bytes read so far, over all files */
    int nopen;             /* files on the include chain (for loops) */
    dev_t dev[CCF_MAX_DEPTH + 1];
    ino_t ino[CCF_MAX_DEPTH + 1];
    int failed;
    uint64_t hash;         /* FNV-1a over the config and every included file, in reading order */
} scan;

/* FNV-1a of t[0..n), continued from h. */
static uint64_t fnv1a(uint64_t h, const char *t, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)t[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

/* What a file that is not a regular file is. */
static const char *kind_of(mode_t m)
{
    return S_ISDIR(m) ? "is a directory" : S_ISFIFO(m) ? "is a named pipe (FIFO)"
           : S_ISCHR(m) || S_ISBLK(m) ? "is a device" : S_ISSOCK(m) ? "is a socket" : "is not a regular file";
}

/* Read a regular file of at most CCF_MAX_FILE bytes without blocking on a
 * FIFO or device. Returns the bytes (caller frees; *len set) or NULL with
 * *why set: an errno text for open errors (*io = 1) or a reason it was
 * refused (*io = 0). */
static char *read_bounded(const char *path, size_t *len, dev_t *dev, ino_t *ino, char *why, size_t nwhy, int *io)
{
    *io = 0;
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        *io = 1;
        snprintf(why, nwhy, "%s", strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        *io = 1;
        snprintf(why, nwhy, "%s", strerror(errno));
        close(fd);
        return NULL;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(why, nwhy, "%s (expected a regular file of at most 1 MiB)", kind_of(st.st_mode));
        close(fd);
        return NULL;
    }
    if (st.st_size > CCF_MAX_FILE) {
        snprintf(why, nwhy, "is %lld bytes (expected at most %d bytes, 1 MiB)", (long long)st.st_size,
                 CCF_MAX_FILE);
        close(fd);
        return NULL;
    }
    *dev = st.st_dev;
    *ino = st.st_ino;
    char *buf = malloc((size_t)CCF_MAX_FILE + 1);
    size_t n = 0;
    while (buf && n <= (size_t)CCF_MAX_FILE) {
        ssize_t k = read(fd, buf + n, (size_t)CCF_MAX_FILE + 1 - n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0) {
            *io = 1;
            snprintf(why, nwhy, "%s", strerror(errno));
            free(buf);
            close(fd);
            return NULL;
        }
        if (k == 0)
            break;
        n += (size_t)k;
    }
    close(fd);
    if (!buf) {
        *io = 1;
        snprintf(why, nwhy, "out of memory");
        return NULL;
    }
    if (n > (size_t)CCF_MAX_FILE) { /* it grew while being read */
        snprintf(why, nwhy, "is more than %d bytes (expected at most %d bytes, 1 MiB)", CCF_MAX_FILE, CCF_MAX_FILE);
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}

static int scan_file(scan *s, const char *shown, const char *path, const char *from, int from_line, int depth);

/* An @include directive at text[i] (the start of a line), or 0. On a match,
 * *name_at is the index after the opening quote. */
static int include_at(const char *t, size_t n, size_t i, size_t *name_at)
{
    while (i < n && (t[i] == ' ' || t[i] == '\t'))
        i++;
    if (n - i < 8 || memcmp(t + i, "@include", 8) != 0)
        return 0;
    i += 8;
    size_t ws = i;
    while (i < n && (t[i] == ' ' || t[i] == '\t'))
        i++;
    if (i == ws || i >= n || t[i] != '"')
        return 0;
    *name_at = i + 1;
    return 1;
}

/* Scan one file's text as libconfig 1.5's scanner does: comments (#, //,
 * block), strings with backslash escapes, and `@include "name"` at the start
 * of a line outside comments and strings. Checks the bounds and follows
 * every include. `shown` is the file's name in messages. */
static void scan_text(scan *s, const char *shown, const char *t, size_t n, int depth)
{
    enum { INIT, COMMENT, STRING } st = INIT;
    int line = 1, bol = 1, str_line = 0, com_line = 0, level = 0;
    size_t str_start = 0;
    int members[CCF_MAX_NEST + 1];
    char open_ch[CCF_MAX_NEST + 1];
    members[0] = 0;
    open_ch[0] = '{';
    for (size_t i = 0; i < n && !s->failed;) {
        char c = t[i];
        if (c == '\0') {
            ccg_add(s->diag, "%s:%d: contains a NUL byte (expected a text file)", shown, line);
            s->failed = 1;
            return;
        }
        if (st == COMMENT) {
            if (c == '*' && i + 1 < n && t[i + 1] == '/') {
                st = INIT;
                bol = 0;
                i += 2;
                continue;
            }
            line += c == '\n';
            i++;
            continue;
        }
        if (st == STRING) {
            if (c == '\\' && i + 1 < n && (t[i + 1] == '"' || t[i + 1] == '\\')) {
                i += 2;
                continue;
            }
            if (c == '"') {
                if (i - str_start > (size_t)CCF_MAX_STRING) {
                    ccg_add(s->diag, "%s:%d: a string of %zu bytes (expected at most %d)", shown, str_line,
                            i - str_start, CCF_MAX_STRING);
                    s->failed = 1;
                    return;
                }
                st = INIT;
                bol = 0;
            }
            line += c == '\n';
            i++;
            continue;
        }
        size_t name_at;
        if (bol && include_at(t, n, i, &name_at)) {
            /* the name: \\ and \" are escapes; anything else up to the quote */
            char name[4096];
            size_t k = 0, j = name_at;
            const char *bad = NULL;
            for (; j < n && t[j] != '"'; j++) {
                char ch = t[j];
                if (ch == '\\' && j + 1 < n && (t[j + 1] == '\\' || t[j + 1] == '"'))
                    ch = t[++j];
                else if (ch == '\\')
                    bad = "has a backslash";
                if ((unsigned char)ch < 0x20 || ch == 0x7f)
                    bad = "has a control character or line break";
                if (k + 1 < sizeof name)
                    name[k++] = ch;
                else
                    bad = "is too long";
            }
            name[k] = '\0';
            if (j >= n)
                bad = "is not closed";
            if (!bad && k == 0)
                bad = "is empty";
            if (bad) {
                ccg_add(s->diag, "%s:%d: @include: the file name %s (expected @include \"file\" naming a file)",
                        shown, line, bad);
                s->failed = 1;
                return;
            }
            size_t dl = strlen(s->dir);
            char *full = malloc(dl + k + 2);
            if (!full) {
                ccg_add(s->diag, "%s:%d: @include: out of memory", shown, line);
                s->failed = 1;
                return;
            }
            memcpy(full, s->dir, dl);
            full[dl] = '/';
            memcpy(full + dl + 1, name, k + 1);
            scan_file(s, name, full, shown, line, depth + 1);
            free(full);
            i = j + 1;
            bol = 0;
            continue;
        }
        if (c == '\n') {
            line++;
            bol = 1;
            i++;
            continue;
        }
        bol = 0;
        if (c == '/' && i + 1 < n && t[i + 1] == '*') {
            st = COMMENT;
            com_line = line;
            i += 2;
            continue;
        }
        if (c == '#' || (c == '/' && i + 1 < n && t[i + 1] == '/')) {
            while (i < n && t[i] != '\n')
                i++;
            continue;
        }
        if (c == '"') {
            st = STRING;
            str_line = line;
            str_start = i + 1;
            i++;
            continue;
        }
        if (c == '{' || c == '(' || c == '[') {
            if (level == CCF_MAX_NEST) {
                ccg_add(s->diag, "%s:%d: groups, lists and arrays nested more than %d deep (expected at most %d)",
                        shown, line, CCF_MAX_NEST, CCF_MAX_NEST);
                s->failed = 1;
                return;
            }
            level++;
            members[level] = 0;
            open_ch[level] = c;
        } else if ((c == '}' || c == ')' || c == ']') && level > 0) {
            level--;
        } else if ((c == '=' || c == ':') && open_ch[level] == '{' && ++members[level] > CCF_MAX_MEMBERS) {
            ccg_add(s->diag, "%s:%d: a group with more than %d settings (expected at most %d)", shown, line,
                    CCF_MAX_MEMBERS, CCF_MAX_MEMBERS);
            s->failed = 1;
            return;
        }
        i++;
    }
    /* libconfig carries a scanner state across the end of an included file:
     * refuse that rather than follow it */
    if (depth > 0 && !s->failed && st != INIT) {
        ccg_add(s->diag, "%s:%d: the file ends inside a %s (expected it closed in the same file)", shown,
                st == STRING ? str_line : com_line, st == STRING ? "string" : "comment /* */");
        s->failed = 1;
    }
}

/* Check and scan an included file: `path` to open, `shown` in messages;
 * from and from_line name the @include that brought it in. */
static int scan_file(scan *s, const char *shown, const char *path, const char *from, int from_line, int depth)
{
    char why[160];
    int io = 0;
    size_t len = 0;
    dev_t dev = 0;
    ino_t ino = 0;
    if (depth > CCF_MAX_DEPTH) {
        ccg_add(s->diag, "%s:%d: @include \"%s\": includes nested more than %d deep (expected at most %d)", from,
                from_line, shown, CCF_MAX_DEPTH, CCF_MAX_DEPTH);
        s->failed = 1;
        return CCF_EINVALID;
    }
    char *text = read_bounded(path, &len, &dev, &ino, why, sizeof why, &io);
    if (!text) {
        if (io)
            ccg_add(s->diag, "%s:%d: @include \"%s\": cannot be read: %s (expected a readable file, named relative "
                             "to the folder of the config)",
                    from, from_line, shown, why);
        else
            ccg_add(s->diag, "%s:%d: @include \"%s\": %s", from, from_line, shown, why);
        s->failed = 1;
        return CCF_EINVALID;
    }
    for (int k = 0; k < s->nopen; k++)
        if (s->dev[k] == dev && s->ino[k] == ino) {
            ccg_add(s->diag, "%s:%d: @include \"%s\": includes a file that includes it (expected no include loop)",
                    from, from_line, shown);
            s->failed = 1;
            free(text);
            return CCF_EINVALID;
        }
    s->total += len;
    if (s->total > (size_t)CCF_MAX_TOTAL) {
        ccg_add(s->diag, "%s:%d: @include \"%s\": the config and its included files come to more than %d bytes "
                         "(expected at most %d bytes, 4 MiB)",
                from, from_line, shown, CCF_MAX_TOTAL, CCF_MAX_TOTAL);
        s->failed = 1;
        free(text);
        return CCF_EINVALID;
    }
    s->dev[s->nopen] = dev;
    s->ino[s->nopen] = ino;
    s->nopen++;
    s->hash = fnv1a(s->hash, text, len);
    scan_text(s, shown, text, len, depth);
    s->nopen--;
    free(text);
    return s->failed ? CCF_EINVALID : CCF_OK;
}

int ccf_open(config_t *cfg, const char *path, const char *what, cc_diag *diag, uint64_t *hash)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash == dir)
        dir[1] = '\0';
    else if (slash)
        *slash = '\0';
    else
        snprintf(dir, sizeof dir, ".");
    scan s = {diag, dir, 0, 0, {0}, {0}, 0, 0xcbf29ce484222325ULL};
    /* the top file: refused or unreadable before anything else */
    char why[160];
    int io = 0;
    size_t len = 0;
    dev_t dev;
    ino_t ino;
    char *text = read_bounded(path, &len, &dev, &ino, why, sizeof why, &io);
    if (!text) {
        ccg_add(diag, "%s: cannot read %s file: %s", path, what, why);
        return io ? CCF_EIO : CCF_EINVALID;
    }
    s.hash = fnv1a(s.hash, text, len);
    s.total = len;
    s.dev[0] = dev;
    s.ino[0] = ino;
    s.nopen = 1;
    scan_text(&s, path, text, len, 0);
    free(text);
    if (s.failed)
        return CCF_EINVALID;
    if (hash)
        *hash = s.hash; /* the config's text and its included files' */
    config_set_include_dir(cfg, dir);
    return config_read_file(cfg, path) == CONFIG_TRUE ? CCF_OK : CCF_EPARSE;
}

static void write_string(FILE *f, const char *v)
{
    fputc('"', f);
    for (const unsigned char *c = (const unsigned char *)v; *c; c++) {
        if (*c == '"' || *c == '\\')
            fprintf(f, "\\%c", *c);
        else if (*c == '\n')
            fputs("\\n", f);
        else if (*c == '\t')
            fputs("\\t", f);
        else if (*c < 0x20 || *c == 0x7f)
            fprintf(f, "\\x%02x", *c);
        else
            fputc(*c, f);
    }
    fputc('"', f);
}

/* The shortest text that reads back to exactly v, with a '.' or an 'e' so
 * that libconfig reads it as a float. */
static void write_float(FILE *f, double v)
{
    char buf[40];
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    fputs(buf, f);
    if (!strpbrk(buf, ".eEn"))
        fputs(".0", f);
}

static void write_setting(FILE *f, const config_setting_t *s, int indent)
{
    const char *name = config_setting_name(s);
    if (name)
        fprintf(f, "%*s%s = ", indent, "", name);
    else
        fprintf(f, "%*s", indent, "");
    int t = config_setting_type(s);
    switch (t) {
    case CONFIG_TYPE_INT: fprintf(f, "%d", config_setting_get_int(s)); break;
    case CONFIG_TYPE_INT64: fprintf(f, "%lldL", config_setting_get_int64(s)); break;
    case CONFIG_TYPE_FLOAT: write_float(f, config_setting_get_float(s)); break;
    case CONFIG_TYPE_BOOL: fputs(config_setting_get_bool(s) ? "true" : "false", f); break;
    case CONFIG_TYPE_STRING: write_string(f, config_setting_get_string(s)); break;
    case CONFIG_TYPE_GROUP:
    case CONFIG_TYPE_LIST:
    case CONFIG_TYPE_ARRAY: {
        int n = config_setting_length(s);
        int scalar = t == CONFIG_TYPE_ARRAY;
        fputs(t == CONFIG_TYPE_GROUP ? "{" : t == CONFIG_TYPE_LIST ? "(" : "[", f);
        for (int i = 0; i < n; i++) {
            const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
            if (scalar) {
                fputs(i ? ", " : " ", f);
                write_setting(f, e, 0);
            } else {
                fputs(i == 0 ? "\n" : t == CONFIG_TYPE_LIST ? ",\n" : "\n", f);
                write_setting(f, e, indent + 2);
                if (t == CONFIG_TYPE_GROUP)
                    fputc(';', f);
            }
        }
        if (scalar)
            fputs(n ? " ]" : "]", f);
        else if (n)
            fprintf(f, "\n%*s%s", indent, "", t == CONFIG_TYPE_GROUP ? "}" : ")");
        else
            fputs(t == CONFIG_TYPE_GROUP ? "}" : ")", f);
        break;
    }
    default: break;
    }
}

int ccf_write(const config_t *cfg, FILE *f)
{
    const config_setting_t *root = config_root_setting(cfg);
    int n = config_setting_length(root);
    for (int i = 0; i < n; i++) {
        write_setting(f, config_setting_get_elem(root, (unsigned)i), 0);
        fputs(";\n", f);
    }
    return fflush(f) == 0 && !ferror(f) ? 0 : -1;
}
