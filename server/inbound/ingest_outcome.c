/* ingest_outcome: what each outcome of an inbound email means to an MTA
 * pipe (sysexits), to the HTTP endpoint (status) and in words. */
#include "chat/inbound/ingest.h"

#include <sysexits.h>

struct outcome_row {
	const char *name;
	int exit_code;
	int http_status;
};

static const struct outcome_row rows[] = {
	[INGEST_APPENDED] = {"appended", EX_OK, 200},
	[INGEST_DUPLICATE] = {"duplicate", EX_OK, 200},
	[INGEST_DROPPED] = {"dropped", EX_OK, 200},
	[INGEST_AUTOREPLIED] = {"auto_replied", EX_OK, 200},
	[INGEST_UNKNOWN_RECIPIENT] = {"unknown_recipient", EX_NOUSER, 404},
	[INGEST_REJECTED] = {"rejected", EX_NOPERM, 403},
	[INGEST_MALFORMED] = {"malformed", EX_DATAERR, 400},
	[INGEST_TOO_LARGE] = {"too_large", EX_DATAERR, 413},
	[INGEST_TRY_LATER] = {"try_later", EX_TEMPFAIL, 503},
};

#define N_ROWS (sizeof(rows) / sizeof(rows[0]))
_Static_assert(N_ROWS == INGEST_TRY_LATER + 1, "an outcome has no row");

/* An outcome out of range is a bug: answered as "try later", so the mail
 * is kept and offered again rather than lost. */
static const struct outcome_row *row(enum ingest_outcome o)
{
	return (unsigned)o < N_ROWS ? &rows[o] : &rows[INGEST_TRY_LATER];
}

int ingest_exit_code(enum ingest_outcome o)
{
	return row(o)->exit_code;
}

int ingest_http_status(enum ingest_outcome o)
{
	return row(o)->http_status;
}

const char *ingest_outcome_name(enum ingest_outcome o)
{
	return row(o)->name;
}
