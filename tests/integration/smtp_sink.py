"""An aiosmtpd handler for tests/integration/smtp.test.mjs.

Run: PYTHONPATH=tests/integration /usr/bin/python3 -m aiosmtpd -n \
    -l 127.0.0.1:PORT -c smtp_sink.Sink

Prints one JSON line per delivered message on stdout (envelope sender,
recipients, the message bytes in base64 exactly as received). Recipients
whose local part starts with "refuse550" or "defer451" are refused with
that code; a sender starting with "datafail550" is refused after DATA.
"""
import base64
import json
import sys


class Sink:
    async def handle_RCPT(self, server, session, envelope, address, options):
        local = address.split('@', 1)[0]
        if local.startswith('refuse550'):
            return '550 5.1.1 No such user here'
        if local.startswith('defer451'):
            return '451 4.3.0 Mailbox busy, try again later'
        envelope.rcpt_tos.append(address)
        return '250 OK'

    async def handle_DATA(self, server, session, envelope):
        if envelope.mail_from.startswith('datafail550'):
            return '550 5.7.1 Message content rejected'
        print(json.dumps({
            'from': envelope.mail_from,
            'rcpts': envelope.rcpt_tos,
            'data': base64.b64encode(envelope.original_content).decode(),
        }), flush=True)
        return '250 2.0.0 Queued as test'
