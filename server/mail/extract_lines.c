/*
 * extract_lines: what kind each line of a plain-text reply is (blank,
 * quote, quoted-history header, signature start, delimiter, text). The
 * patterns are tables, so a language or a client is a line of data; a
 * header needs a date or an address, so prose that says "wrote:" stays
 * text. Choosing what to keep is extract.c's.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "extract_private.h"

/* How a quoted message announces itself, at the end of its header line
 * ("..., Name <addr> wrote:"). */
static const char *const wrote_words[] = {
	"wrote",   "writes",	 "a écrit",    "schrieb",  "geschreven",
	"schreef", "ha scritto", "escribió",   "escreveu", "escrito",
	"написал", "написала",	 "napisał(a)", "napisał",  "napisała",
	"skrev",   "пише",	 "写道",       "寫道",	   "kirjoitti",
	"írta",	   "yazdı",	 "napsal",     "a scris",
};

/* Languages where the verb may come before the name and date ("Am
<date> schrieb Name <addr>:", "Name <addr> schrieb am <date>:"). */
static const char *const verb_first_words[] = {
	" schrieb ", " schreef ", " skrev ", " napisał ", " escribió ", " от ",
};

/* Words a header split over several lines starts with ("On <date>,"). */
static const char *const on_words[] = {
	"On ",	 "Le ",	    "Am ", "El ", "Il ", "Op ", "Em ",	"Den ",
	"Dnia ", "W dniu ", "At ", "在 ", "Во ", "В ",	"Dne ", "På ",
};

/* Lines that open a quoted or forwarded message, once rules and stars are
 * stripped. */
static const char *const separators[] = {
	"original message",
	"ursprüngliche nachricht",
	"mensaje original",
	"message d'origine",
	"messaggio originale",
	"oorspronkelijk bericht",
	"originalmeddelande",
	"opprinnelig melding",
	"oprindelig meddelelse",
	"wiadomość oryginalna",
	"исходное сообщение",
	"forwarded message",
	"weitergeleitete nachricht",
	"message transféré",
	"mensaje reenviado",
	"messaggio inoltrato",
	"doorgestuurd bericht",
	"begin forwarded message",
	"début du message réexpédié",
	"anfang der weitergeleiteten nachricht",
	"original email",
	"reply message",
};

/* The first field of an Outlook header block ("From: Name"). */
static const char *const from_fields[] = {
	"from",	      "von",	"från",	  "de",	    "da",	 "van",
	"od",	      "от",	"От",	  "fra",    "lähettäjä", "feladó",
	"expéditeur", "发件人", "寄件者", "kimden",
};

/* Mobile and webmail signatures, matched at the start of a line. */
static const char *const mobile_sigs[] = {
	"sent from ",
	"sent via ",
	"sent with ",
	"sent by ",
	"sent using ",
	"sent on my ",
	"from my iphone",
	"from my ipad",
	"from my android",
	"get outlook for",
	"envoyé depuis",
	"envoyé de mon",
	"envoyé à partir de",
	"von meinem",
	"gesendet von meinem",
	"gesendet mit ",
	"diese nachricht wurde von meinem",
	"verzonden met ",
	"verzonden vanaf",
	"verstuurd vanaf",
	"verstuurd met ",
	"enviado desde",
	"enviado do meu",
	"enviado de meu",
	"enviado con ",
	"inviato da",
	"inviato dal",
	"wysłane z",
	"отправлено с",
	"отправлено из",
	"skickat från",
	"sendt fra",
	"lähetetty",
	"(sent from",
	"<<sent by",
	"发自我的",
	"從我的",
	"来自我的",
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_SIG_LINE 120
#define MAX_HEADER_SPAN 5
#define MAX_SIG_LINES 5

static bool is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' ||
	       c == '\v';
}

static char ascii_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool eq_ci(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (ascii_lower(a[i]) != ascii_lower(b[i]))
			return false;
	return true;
}

static bool starts_ci(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return n <= len && eq_ci(s, prefix, n);
}

/* The line without leading and trailing white space. */
static void trim(const char **s, size_t *len)
{
	while (*len && is_space((unsigned char)**s)) {
		(*s)++;
		(*len)--;
	}
	while (*len && is_space((unsigned char)(*s)[*len - 1]))
		(*len)--;
}

/* Also drops rules, stars, colons and markdown emphasis around a line. */
static void trim_decoration(const char **s, size_t *len)
{
	static const char deco[] = " \t-_*:=>";

	trim(s, len);
	while (*len && strchr(deco, **s)) {
		(*s)++;
		(*len)--;
	}
	while (*len && strchr(deco, (*s)[*len - 1]))
		(*len)--;
}

static bool has_digit_or_at(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((s[i] >= '0' && s[i] <= '9') || s[i] == '@')
			return true;
	return false;
}

/* "> text", or a supercite quote with initials: "C> text". */
static bool is_quote(const char *s, size_t len)
{
	size_t i = 0;

	trim(&s, &len);
	while (i < len && i < 3 &&
	       ((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'z'))
		i++;
	return i < len && s[i] == '>';
}

/* Code points that draw rules or mark tracking pixels: a line of only
 * these (and ASCII punctuation) is a delimiter. */
static size_t rule_char_len(const unsigned char *s, size_t len)
{
	static const char *const rules[] = {
		"\xe1\x90\xa7", "\xe2\x80\x94", "\xe2\x80\x93",
		"\xe2\x80\x95", "\xe2\x94\x80", "\xe2\x94\x81",
		"\xc2\xa0",	"\xe2\x80\x8b", "\xef\xbb\xbf",
	};

	if (s[0] < 0x80)
		return (s[0] >= '0' && s[0] <= '9') || ((s[0] | 0x20) >= 'a' &&
							(s[0] | 0x20) <= 'z')
			       ? 0
			       : 1;
	for (size_t i = 0; i < COUNT(rules); i++) {
		size_t n = strlen(rules[i]);

		if (n <= len && !memcmp(s, rules[i], n))
			return n;
	}
	return 0;
}

static bool is_delim(const char *s, size_t len)
{
	size_t n;

	trim(&s, &len);
	if (!len)
		return false;
	for (size_t i = 0; i < len; i += n) {
		n = rule_char_len((const unsigned char *)s + i, len - i);
		if (!n)
			return false;
	}
	return true;
}

static bool is_dash_sig(const char *s, size_t len)
{
	trim(&s, &len);
	return len == 2 && !memcmp(s, "--", 2);
}

static bool is_sig(const char *s, size_t len)
{
	if (is_dash_sig(s, len))
		return true;
	trim(&s, &len);
	if (len > MAX_SIG_LINE)
		return false;
	for (size_t i = 0; i < COUNT(mobile_sigs); i++)
		if (starts_ci(s, len, mobile_sigs[i]))
			return true;
	return false;
}

static bool is_separator(const char *s, size_t len)
{
	trim_decoration(&s, &len);
	for (size_t i = 0; i < COUNT(separators); i++)
		if (strlen(separators[i]) == len &&
		    eq_ci(s, separators[i], len))
			return true;
	return false;
}

/* Does the line end with a "wrote" word, before an optional colon and
 * rules ("... wrote:", "... a écrit :", "... wrote ----", "...写道：")? */
static bool ends_with_wrote(const char *s, size_t len)
{
	static const char fullwidth_colon[] = "\xef\xbc\x9a";

	trim(&s, &len);
	if (len >= 3 && !memcmp(s + len - 3, fullwidth_colon, 3))
		len -= 3;
	for (;;) {
		if (len && (s[len - 1] == '-' || s[len - 1] == ':' ||
			    is_space((unsigned char)s[len - 1])))
			len--;
		else if (len >= 2 && !memcmp(s + len - 2, "\xc2\xa0", 2))
			len -= 2; /* French puts a no-break space before ':' */
		else
			break;
	}
	for (size_t i = 0; i < COUNT(wrote_words); i++) {
		size_t n = strlen(wrote_words[i]);

		if (n <= len && eq_ci(s + len - n, wrote_words[i], n) &&
		    (n == len || (unsigned char)s[len - n] >= 0x80 ||
		     is_space((unsigned char)s[len - n - 1])))
			return true;
	}
	return false;
}

static bool contains(const char *s, size_t len, const char *needle)
{
	size_t n = strlen(needle);

	for (size_t i = 0; i + n <= len; i++)
		if (!memcmp(s + i, needle, n))
			return true;
	return false;
}

/* "On <date>, Name <addr> wrote:" on one line; a date or an address must
 * be there, so "Here is what he wrote:" stays text. German Gmail puts the
 * date after the verb: "Name <addr> schrieb am <date>:". */
static bool is_wrote_line(const char *s, size_t len)
{
	trim(&s, &len);
	if (!has_digit_or_at(s, len))
		return false;
	if (ends_with_wrote(s, len))
		return true;
	if (!len || s[len - 1] != ':')
		return false;
	for (size_t i = 0; i < COUNT(verb_first_words); i++)
		if (contains(s, len, verb_first_words[i]))
			return true;
	return false;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* A header that opens with a date and has no verb: Gmail's older
 * "2016-03-03 17:21 GMT+01:00 Name <addr>:" or "2013/7/20 Name <addr>",
 * Yandex's "26.06.2014, 14:41, "Name" <addr>:". */
static bool is_date_header(const char *s, size_t len)
{
	size_t i = 0, digits[3];

	trim(&s, &len);
	for (int part = 0; part < 3; part++) {
		size_t start = i;

		while (i < len && is_digit(s[i]))
			i++;
		digits[part] = i - start;
		if (!digits[part] || digits[part] > 4)
			return false;
		if (part < 2) {
			if (i >= len || !strchr("-/.", s[i]))
				return false;
			i++;
		}
	}
	if ((digits[0] != 4 && digits[2] != 4) || i >= len ||
	    (s[i] != ' ' && s[i] != ','))
		return false;
	if (contains(s, len, "GMT"))
		return true;
	return contains(s, len, "@") &&
	       (s[len - 1] == ':' || s[len - 1] == '>');
}

/* "Key:" with a short key of one to three words (an email header field). */
static bool field_key(const char *s, size_t len, size_t *key_len)
{
	size_t words = 1;

	trim(&s, &len);
	while (len && *s == '*') {
		s++;
		len--;
	}
	for (size_t i = 0; i < len && i <= 30; i++) {
		if (s[i] == ':' ||
		    (i + 3 <= len && !memcmp(s + i, "\xef\xbc\x9a", 3))) {
			size_t k = i;

			while (k && s[k - 1] == '*')
				k--;
			*key_len = k;
			return k > 0;
		}
		if (s[i] == ' ' && ++words > 3)
			return false;
		if (strchr("<>\"@/()[],.", s[i]))
			return false;
	}
	return false;
}

bool extract_is_from_field(const char *s, size_t len)
{
	size_t k;

	trim(&s, &len);
	while (len && *s == '*') {
		s++;
		len--;
	}
	if (!field_key(s, len, &k))
		return false;
	for (size_t i = 0; i < COUNT(from_fields); i++)
		if (strlen(from_fields[i]) == k && eq_ci(s, from_fields[i], k))
			return true;
	return false;
}

/* An Outlook block: a From field with two more fields within the next
 * lines. Returns how many lines the block spans, 0 when it is not one. */
static size_t outlook_block(const struct extract_line *l, size_t i, size_t n)
{
	size_t fields = 0, j, k;

	if (!extract_is_from_field(l[i].s, l[i].len))
		return 0;
	for (j = i + 1; j < n && j <= i + 6; j++) {
		const char *s = l[j].s;
		size_t len = l[j].len;

		trim(&s, &len);
		if (!len)
			break;
		if (field_key(s, len, &k))
			fields++;
	}
	return fields >= 2 ? j - i : 0;
}

static bool starts_on_word(const char *s, size_t len)
{
	trim(&s, &len);
	if (len && is_digit(s[0]))
		return true;
	for (size_t i = 0; i < COUNT(on_words); i++)
		if (starts_ci(s, len, on_words[i]))
			return true;
	return false;
}

/* A header wrapped so that its end ("wrote:", or a lone ">:" after an
 * address) lands up to five lines later. Returns how many lines it spans,
 * 0 when it is not one. */
static size_t wrapped_header(const struct extract_line *l, size_t i, size_t n)
{
	char joined[1024];
	size_t used = 0;

	if (!has_digit_or_at(l[i].s, l[i].len))
		return 0;
	for (size_t j = i; j < n && j <= i + MAX_HEADER_SPAN; j++) {
		const char *s = l[j].s;
		size_t len = l[j].len;

		trim(&s, &len);
		if (used + len + 2 > sizeof(joined))
			return 0;
		if (j > i && is_wrote_line(s, len) && starts_on_word(s, len))
			return 0; /* a header of its own starts there */
		if (used)
			joined[used++] = ' ';
		memcpy(joined + used, s, len);
		used += len;
		if (j > i && len &&
		    (s[len - 1] == ':' || ends_with_wrote(s, len)) &&
		    (starts_on_word(l[i].s, l[i].len) || j == i + 1) &&
		    is_wrote_line(joined, used))
			return j - i + 1;
	}
	return 0;
}

static size_t header_span(const struct extract_line *l, size_t i, size_t n)
{
	const char *s = l[i].s;
	size_t len = l[i].len;
	size_t span;

	if (is_separator(s, len) || is_wrote_line(s, len) ||
	    is_date_header(s, len))
		return 1;
	span = outlook_block(l, i, n);
	if (span)
		return span;
	return wrapped_header(l, i, n);
}

/* "________" over a few lines of text to the end: a signature. */
static bool is_rule_over_signature(const struct extract_line *l, size_t i,
				   size_t n)
{
	const char *s = l[i].s;
	size_t len = l[i].len, texts = 0;

	trim(&s, &len);
	if (len < 3 || (strspn(s, "_") != len && strspn(s, "-") != len))
		return false;
	for (i++; i < n; i++) {
		if (l[i].kind == K_BLANK)
			continue;
		if (l[i].kind != K_TEXT || ++texts > MAX_SIG_LINES)
			return false;
	}
	return texts > 0;
}

/* "Sent from ..." ends a message: followed by more text than a
 * signature holds before the quoted history, it is prose ("Sent via UPS
 * on Monday, ...") and stays. One pass from the end. */
static void keep_prose_that_looks_signed(struct extract_line *l, size_t n)
{
	size_t texts_after = 0;

	for (size_t i = n; i-- > 0;) {
		if (l[i].kind == K_HEADER)
			texts_after = 0;
		else if (l[i].kind == K_SIG && texts_after > MAX_SIG_LINES &&
			 !is_dash_sig(l[i].s, l[i].len))
			l[i].kind = K_TEXT;
		if (l[i].kind == K_TEXT)
			texts_after++;
	}
}

void extract_classify(struct extract_line *l, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *s = l[i].s;
		size_t len = l[i].len, span;

		trim(&s, &len);
		if (!len) {
			l[i].kind = K_BLANK;
		} else if (is_quote(s, len)) {
			l[i].kind = K_QUOTE;
		} else if (is_sig(s, len)) {
			l[i].kind = K_SIG;
		} else if ((span = header_span(l, i, n))) {
			l[i].kind = K_HEADER;
			for (size_t j = 1; j < span; j++)
				l[i + j].kind = K_HEADER_CONT;
			i += span - 1;
		} else if (is_delim(s, len)) {
			l[i].kind = K_DELIM;
		} else {
			l[i].kind = K_TEXT;
		}
	}
	for (size_t i = 0; i < n; i++)
		if (l[i].kind == K_DELIM && is_rule_over_signature(l, i, n))
			l[i].kind = K_SIG;
	keep_prose_that_looks_signed(l, n);
}

void extract_trim(const char **s, size_t *len)
{
	trim(s, len);
}
