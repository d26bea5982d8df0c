/*
 * html_text: the plain text of an HTML mail body, without the quoted
 * history mail clients wrap in markup. A small tokenizer of its own (no
 * HTML library): tags, comments, entities, raw-text script and style.
 * Block elements and <br> make line breaks, other tags vanish. Quoted
 * history goes in two ways: elements that hold only the quote
 * (<blockquote>, Gmail's gmail_quote, Thunderbird's cite prefix) are
 * skipped, and Outlook's reply headers (divRplyFwdMsg, OLK source
 * section, a rule or a top-bordered div over a "From:" block) end the
 * text. Never reads past len; malformed markup degrades to text.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "chat/mail/extract.h"
#include "extract_buf.h"
#include "extract_private.h"
#include "html_entity.h"

#define MAX_BLOCKS 64
#define MAX_RULES 16
#define MAX_NAME 16
#define MAX_ATTR 512

/* A rule (<hr>, a top border) that may separate the reply from an
 * Outlook header block: the text ends at block when a From field
 * follows at at. */
struct rule {
	size_t at;
	size_t block;
};

struct conv {
	const char *s;
	size_t len;
	size_t i;
	struct xbuf out;
	bool space;	   /* white space seen and not yet written */
	int pre;	   /* depth of <pre> */
	bool cut;	   /* Outlook's reply header: the rest is history */
	bool keep_history; /* convert quotes and reply headers too */
	size_t blocks[MAX_BLOCKS]; /* where open block elements began */
	char block_names[MAX_BLOCKS][MAX_NAME];
	size_t nblocks;
	struct rule rules[MAX_RULES];
	size_t nrules;
};

struct tag {
	char name[MAX_NAME];
	bool closing;
	bool self_closing;
	char class_[MAX_ATTR];
	char id[MAX_ATTR];
	char style[MAX_ATTR];
};

static const char *const block_tags[] = {
	"p",	  "div",	"h1",	"h2",	   "h3",      "h4",
	"h5",	  "h6",		"li",	"ul",	   "ol",      "table",
	"tr",	  "blockquote", "pre",	"section", "article", "header",
	"footer", "body",	"html", "address", "dd",      "dt",
	"dl",	  "center",	"form", "main",	   "nav",     "aside",
	"figure", "fieldset",	"hr",
};

static const char *const dropped_tags[] = {
	"script", "style", "head", "title", "template", "noscript", "svg",
};

/* Classes and ids of elements that hold only quoted history. */
static const char *const quote_markers[] = {
	"gmail_quote",
	"moz-cite-prefix",
	"yahoo_quoted",
	"mail-editor-reference-message-container",
};

/* Ids of Outlook elements that start the quoted history. */
static const char *const history_ids[] = {
	"divRplyFwdMsg",
	"x_divRplyFwdMsg",
	"appendonsend",
	"OLK_SRC_BODY_SECTION",
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static bool in_list(const char *name, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(name, list[i]))
			return true;
	return false;
}

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static bool is_alnum(char c)
{
	return (c >= '0' && c <= '9') ||
	       ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

static char last_out(const struct conv *c)
{
	return c->out.len ? c->out.p[c->out.len - 1] : '\n';
}

static void drop_trailing_spaces(struct conv *c)
{
	while (c->out.len && c->out.p[c->out.len - 1] == ' ')
		c->out.p[--c->out.len] = '\0';
}

static void put_text(struct conv *c, const char *s, size_t n)
{
	if (c->space && last_out(c) != '\n' && last_out(c) != ' ')
		xbuf_addc(&c->out, ' ');
	c->space = false;
	xbuf_add(&c->out, s, n);
}

static void put_newline(struct conv *c)
{
	drop_trailing_spaces(c);
	xbuf_addc(&c->out, '\n');
	c->space = false;
}

/* A line break unless the text already ends one. */
static void put_break(struct conv *c)
{
	drop_trailing_spaces(c);
	if (last_out(c) != '\n')
		xbuf_addc(&c->out, '\n');
	c->space = false;
}

static void put_utf8(struct conv *c, uint32_t cp)
{
	char u[4];

	put_text(c, u, html_utf8_encode(cp, u));
}

/* At '&': writes the character an entity names, or the '&' itself. */
static void on_entity(struct conv *c)
{
	uint32_t cp;
	size_t n = html_entity_decode(c->s + c->i, c->len - c->i, &cp);

	if (!n) {
		put_text(c, "&", 1);
		c->i++;
		return;
	}
	if (cp == ' ')
		c->space = true;
	else
		put_utf8(c, cp);
	c->i += n;
}

/* Case-insensitive search of a NUL-free needle in [s, s + n). */
static const char *find_ci(const char *s, size_t n, const char *needle)
{
	size_t k = strlen(needle);

	for (size_t i = 0; i + k <= n; i++)
		if (!strncasecmp(s + i, needle, k))
			return s + i;
	return NULL;
}

static void copy_attr(char *dst, const char *v, size_t n)
{
	if (n >= MAX_ATTR)
		n = MAX_ATTR - 1;
	memcpy(dst, v, n);
	dst[n] = '\0';
}

static void parse_attrs(struct tag *t, const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t ks, ke, vs, ve;

		while (i < n && (is_ws(s[i]) || s[i] == '/'))
			i++;
		for (ks = i;
		     i < n && !is_ws(s[i]) && s[i] != '=' && s[i] != '/';)
			i++;
		ke = i;
		while (i < n && is_ws(s[i]))
			i++;
		if (i >= n || s[i] != '=') {
			if (ke == ks)
				i++;
			continue;
		}
		for (i++; i < n && is_ws(s[i]);)
			i++;
		if (i < n && (s[i] == '"' || s[i] == '\'')) {
			char q = s[i++];

			for (vs = i; i < n && s[i] != q;)
				i++;
			ve = i++;
		} else {
			for (vs = i; i < n && !is_ws(s[i]);)
				i++;
			ve = i;
		}
		if (ke - ks == 5 && !strncasecmp(s + ks, "class", 5))
			copy_attr(t->class_, s + vs, ve - vs);
		else if (ke - ks == 2 && !strncasecmp(s + ks, "id", 2))
			copy_attr(t->id, s + vs, ve - vs);
		else if (ke - ks == 5 && !strncasecmp(s + ks, "style", 5))
			copy_attr(t->style, s + vs, ve - vs);
	}
}

/* Where the tag opening at s[i] == '<' ends (past its '>'), quotes
 * respected; an unbalanced quote falls back to the first '>', so one bad
 * attribute does not swallow the rest. len when no '>' comes. */
static size_t tag_end(const char *s, size_t len, size_t i)
{
	const char *gt = memchr(s + i, '>', len - i);
	char q = 0;

	for (i++; i < len; i++) {
		if (q) {
			if (s[i] == q)
				q = 0;
		} else if (s[i] == '"' || s[i] == '\'') {
			q = s[i];
		} else if (s[i] == '>') {
			return i + 1;
		}
	}
	return gt ? (size_t)(gt - s) + 1 : len;
}

/* Reads the tag at c->i; false when '<' does not open one. */
static bool read_tag(struct conv *c, struct tag *t)
{
	size_t i = c->i + 1, end, n = 0;

	memset(t, 0, sizeof(*t));
	if (i < c->len && c->s[i] == '/') {
		t->closing = true;
		i++;
	}
	if (i >= c->len ||
	    !((c->s[i] | 0x20) >= 'a' && (c->s[i] | 0x20) <= 'z'))
		return false;
	while (i < c->len &&
	       (is_alnum(c->s[i]) || c->s[i] == ':' || c->s[i] == '-')) {
		if (n + 1 < MAX_NAME)
			t->name[n++] = (char)(c->s[i] | 0x20);
		i++;
	}
	end = tag_end(c->s, c->len, c->i);
	t->self_closing = end >= 2 && end <= c->len && c->s[end - 2] == '/';
	parse_attrs(t, c->s + i, end - i - (end > i && c->s[end - 1] == '>'));
	c->i = end;
	return true;
}

/* Moves past the element just opened (name), its nested namesakes
 * included; unclosed, it runs to the end. */
static void skip_element(struct conv *c, const char *name)
{
	int depth = 1;

	while (c->i < c->len && depth > 0) {
		struct tag t;
		const char *lt = memchr(c->s + c->i, '<', c->len - c->i);

		if (!lt) {
			c->i = c->len;
			return;
		}
		c->i = (size_t)(lt - c->s);
		if (!read_tag(c, &t)) {
			c->i++;
			continue;
		}
		if (strcmp(t.name, name) || t.self_closing)
			continue;
		depth += t.closing ? -1 : 1;
	}
}

/* Moves past the raw text of script or style, to its closing tag. */
static void skip_raw(struct conv *c, const char *name)
{
	char close[MAX_NAME + 2] = "</";
	const char *at;

	strcat(close, name);
	at = find_ci(c->s + c->i, c->len - c->i, close);
	if (at)
		c->i = tag_end(c->s, c->len, (size_t)(at - c->s));
	else if (strcmp(name, "head")) /* an unclosed head holds the body */
		c->i = c->len;
}

static void skip_comment(struct conv *c)
{
	const char *end = NULL;

	if (c->i + 4 <= c->len && !memcmp(c->s + c->i, "<!--", 4))
		end = find_ci(c->s + c->i + 4, c->len - c->i - 4, "-->");
	if (end)
		c->i = (size_t)(end - c->s) + 3;
	else
		c->i = tag_end(c->s, c->len, c->i);
}

static bool holds_quote(const struct tag *t)
{
	if (!strcmp(t->name, "blockquote"))
		return true;
	for (size_t i = 0; i < COUNT(quote_markers); i++)
		if (strstr(t->class_, quote_markers[i]))
			return true;
	return false;
}

static bool starts_history(const struct tag *t)
{
	for (size_t i = 0; i < COUNT(history_ids); i++)
		if (!strcmp(t->id, history_ids[i]))
			return true;
	return false;
}

static bool has_top_border(const struct tag *t)
{
	const char *b = find_ci(t->style, strlen(t->style), "border-top");

	return b && find_ci(b, strlen(b), "solid");
}

static void add_rule(struct conv *c, size_t block)
{
	if (c->nrules < MAX_RULES) {
		c->rules[c->nrules].at = c->out.len;
		c->rules[c->nrules].block = block;
		c->nrules++;
	}
}

static void open_block(struct conv *c, const struct tag *t)
{
	put_break(c);
	if (c->nblocks < MAX_BLOCKS) {
		strcpy(c->block_names[c->nblocks], t->name);
		c->blocks[c->nblocks++] = c->out.len;
	}
}

static void close_block(struct conv *c, const struct tag *t)
{
	for (size_t k = c->nblocks; k-- > 0;)
		if (!strcmp(c->block_names[k], t->name)) {
			c->nblocks = k;
			break;
		}
	put_break(c);
	if (!strcmp(t->name, "p"))
		put_newline(c);
}

static void on_tag(struct conv *c, const struct tag *t)
{
	bool block = in_list(t->name, block_tags, COUNT(block_tags));

	if (t->closing) {
		if (!strcmp(t->name, "pre") && c->pre > 0)
			c->pre--;
		if (block)
			close_block(c, t);
		else if (!strcmp(t->name, "td") || !strcmp(t->name, "th"))
			c->space = true;
		return;
	}
	if (!c->keep_history && starts_history(t)) {
		c->cut = true;
	} else if (in_list(t->name, dropped_tags, COUNT(dropped_tags))) {
		if (!t->self_closing)
			skip_raw(c, t->name);
	} else if (!c->keep_history && holds_quote(t)) {
		put_break(c);
		if (!t->self_closing)
			skip_element(c, t->name);
	} else if (!strcmp(t->name, "br")) {
		put_newline(c);
	} else if (!strcmp(t->name, "hr")) {
		put_break(c);
		add_rule(c, c->nblocks ? c->blocks[c->nblocks - 1] : 0);
	} else if (block) {
		open_block(c, t);
		if (!strcmp(t->name, "pre"))
			c->pre++;
		if (has_top_border(t))
			add_rule(c, c->out.len);
	} else if (!strcmp(t->name, "td") || !strcmp(t->name, "th")) {
		c->space = true;
	}
}

static void on_text(struct conv *c)
{
	char ch = c->s[c->i++];

	if (!ch)
		return;
	if (c->pre && ch == '\n')
		put_newline(c);
	else if (!c->pre && is_ws(ch))
		c->space = true;
	else if (ch != '\r')
		put_text(c, &ch, 1);
}

static void convert(struct conv *c)
{
	while (c->i < c->len && !c->cut && !c->out.oom) {
		struct tag t;
		size_t at = c->i;

		if (c->s[at] == '&') {
			on_entity(c);
		} else if (c->s[at] != '<') {
			on_text(c);
		} else if (at + 1 < c->len &&
			   (c->s[at + 1] == '!' || c->s[at + 1] == '?')) {
			skip_comment(c);
		} else if (read_tag(c, &t)) {
			on_tag(c, &t);
		} else {
			c->i = at + 1;
			put_text(c, "<", 1);
		}
	}
}

static size_t count_lines(const char *s, size_t n)
{
	size_t lines = 0;
	bool text = false;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n') {
			lines += text;
			text = false;
		} else if (!is_ws(s[i])) {
			text = true;
		}
	}
	return lines + text;
}

/* A From field within the first lines after at. */
static bool from_block_follows(const char *s, size_t len, size_t at)
{
	for (int lines = 0; at < len && lines < 6; lines++) {
		const char *nl = memchr(s + at, '\n', len - at);
		size_t end = nl ? (size_t)(nl - s) : len;

		if (extract_is_from_field(s + at, end - at))
			return true;
		at = end + 1;
	}
	return false;
}

/* The first rule over an Outlook header block ends the text; so does the
 * short block it sits in (a name signed above the rule), unless that
 * block is all the reply there is. */
static void cut_at_rules(struct conv *c)
{
	for (size_t k = 0; k < c->nrules; k++) {
		const struct rule *r = &c->rules[k];
		bool short_block;

		if (r->at > c->out.len ||
		    !from_block_follows(c->out.p, c->out.len, r->at))
			continue;
		short_block =
			count_lines(c->out.p + r->block, r->at - r->block) <= 2;
		c->out.len = short_block && count_lines(c->out.p, r->block)
				     ? r->block
				     : r->at;
		c->out.p[c->out.len] = '\0';
		return;
	}
}

/* The text without the white space around it, moved to the front. */
static void trim_out(struct conv *c)
{
	size_t start = 0;

	while (c->out.len && is_ws(c->out.p[c->out.len - 1]))
		c->out.p[--c->out.len] = '\0';
	while (start < c->out.len && is_ws(c->out.p[start]))
		start++;
	if (start) {
		memmove(c->out.p, c->out.p + start, c->out.len - start + 1);
		c->out.len -= start;
	}
}

static char *convert_all(const char *html, size_t len, bool keep_history)
{
	struct conv c = {.s = html, .len = len, .keep_history = keep_history};

	if (!xbuf_reserve(&c.out, len / 2))
		return NULL;
	c.out.p[0] = '\0';
	convert(&c);
	if (!c.out.oom) {
		if (!keep_history)
			cut_at_rules(&c);
		trim_out(&c);
	}
	return xbuf_take(&c.out);
}

char *extract_html_text(const char *html, size_t len)
{
	char *text = convert_all(html, len, false);

	if (text && !*text) { /* all of it looked like history: keep it */
		free(text);
		text = convert_all(html, len, true);
	}
	return text;
}
