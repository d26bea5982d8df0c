/* lws_private: uses of libwebsockets 4.1 behaviour outside its API. */
#include "lws_private.h"

#include <string.h>
#include <sys/socket.h>

#include <uv.h>
#include <libwebsockets.h>

#include "chat/common/frame.h"

#if LWS_LIBRARY_VERSION_MAJOR != 4 || LWS_LIBRARY_VERSION_MINOR != 1
#error "raw WebSocket writes and close frames were verified on lws 4.1 only"
#endif

_Static_assert(FRAME_PRE == LWS_PRE, "frame headroom must be LWS_PRE");

/* lws 4.1's LWS_WRITE_CLOSE (lws-write.h keeps it out of the public
 * enum's documented members). */
#define WRITE_CLOSE_FRAME ((enum lws_write_protocol)4)

int lwsp_write_raw(struct lws *wsi, unsigned char *buf, size_t len)
{
	return lws_write(wsi, buf, len, LWS_WRITE_HTTP) < (int)len ? -1 : 0;
}

int lwsp_write_close(struct lws *wsi, int code, const char *reason)
{
	unsigned char buf[LWS_PRE + 125];
	size_t n = strlen(reason);

	if (n > sizeof(buf) - LWS_PRE - 2)
		n = sizeof(buf) - LWS_PRE - 2;
	buf[LWS_PRE] = (unsigned char)(code >> 8);
	buf[LWS_PRE + 1] = (unsigned char)(code & 0xff);
	memcpy(buf + LWS_PRE + 2, reason, n);
	return lws_write(wsi, buf + LWS_PRE, n + 2, WRITE_CLOSE_FRAME) < 0 ? -1
									   : 0;
}

int lwsp_shutdown_write(struct lws *wsi)
{
	lws_sockfd_type fd = lws_get_socket_fd(wsi);

	return fd < 0 ? -1 : shutdown(fd, SHUT_WR);
}
