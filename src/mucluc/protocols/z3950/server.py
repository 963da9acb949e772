"""The asyncio TCP server: concurrent associations, PDU framing, limits and idle time-outs.

Each connection is one association (Z39.50-2003 §3.1): PDUs are read off the
stream by their BER length, answered in order, and the catalogue work runs
in worker threads so one slow search never stalls other clients. Bad input
never drops a connection silently: an oversized PDU, malformed BER, a PDU
cut short by the client, a request the server does not serve or a quiet
client past the idle time-out all get a Close PDU whose reason and message
say why (§3.2.11), then the connection is closed. Other associations carry on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from mucluc.protocols.z3950.association import (
    Association,
    CloseReason,
    LoginCheck,
    Reply,
    Z3950Limits,
    close_pdu,
)
from mucluc.protocols.z3950.catalogue import Z3950Catalogue
from mucluc.protocols.z3950.codec import (
    SERVED_PDU_TAGS,
    UNSERVED_PDU_TAGS,
    BerError,
    MessageTooLargeError,
    decode_pdu,
    pdu_size,
    pdu_tag,
    specification,
)

logger = logging.getLogger(__name__)

READ_CHUNK_BYTES = 65_536


class Z3950Server:
    """Serves the catalogue over Z39.50 on one TCP port until closed."""

    def __init__(
        self,
        catalogue: Z3950Catalogue,
        limits: Z3950Limits | None = None,
        check_login: LoginCheck | None = None,
    ) -> None:
        self.catalogue = catalogue
        self.limits = limits or Z3950Limits()
        self.check_login = check_login
        self.active_associations = 0
        self._server: asyncio.Server | None = None

    async def start(self, host: str, port: int) -> None:
        """Listen on host:port (port 0 picks a free one; see `port`)."""
        await asyncio.to_thread(specification)  # compile the ASN.1 module before the first client
        self._server = await asyncio.start_server(self._serve_connection, host, port)
        logger.info("z3950_listening", extra={"host": host, "port": self.port})

    @property
    def port(self) -> int:
        """The port listened on."""
        if self._server is None or not self._server.sockets:
            raise RuntimeError("the Z39.50 server is not started")
        return int(self._server.sockets[0].getsockname()[1])

    async def serve_forever(self) -> None:
        """Accept associations until cancelled."""
        if self._server is None:
            raise RuntimeError("the Z39.50 server is not started")
        await self._server.serve_forever()

    async def close(self) -> None:
        """Stop listening; open associations end when their clients leave or time out."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _serve_connection(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        peer = str(writer.get_extra_info("peername"))
        if self.active_associations >= self.limits.max_associations:
            logger.warning("z3950_too_many_associations", extra={"peer": peer})
            message = f"the server is serving its maximum of {self.limits.max_associations} clients"
            await self._finish(writer, close_pdu(CloseReason.RESOURCES, message))
            return
        self.active_associations += 1
        association = Association(self.catalogue, self.limits, self.check_login, peer)
        try:
            await self._converse(association, reader, writer)
        except ConnectionError as error:
            logger.info("z3950_connection_lost", extra={"peer": peer, "error": str(error)})
        finally:
            self.active_associations -= 1
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    async def _converse(
        self, association: Association, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        buffer = bytearray()
        while True:
            try:
                size = pdu_size(buffer, self.limits.max_request_bytes)
            except MessageTooLargeError as error:
                logger.info("z3950_pdu_too_large", extra={"peer": association.peer})
                await self._finish(writer, close_pdu(CloseReason.RESOURCES, str(error)))
                return
            except BerError as error:
                logger.info("z3950_bad_framing", extra={"peer": association.peer})
                await self._finish(writer, close_pdu(CloseReason.PROTOCOL_ERROR, str(error)))
                return
            if size is None:
                try:
                    chunk = await asyncio.wait_for(
                        reader.read(READ_CHUNK_BYTES), self.limits.idle_timeout_seconds
                    )
                except TimeoutError:
                    message = f"no request for {self.limits.idle_timeout_seconds:g} seconds"
                    await self._finish(writer, close_pdu(CloseReason.LACK_OF_ACTIVITY, message))
                    return
                if not chunk:
                    if buffer:
                        message = f"the connection ended inside a PDU ({len(buffer)} bytes read)"
                        logger.info("z3950_truncated_pdu", extra={"peer": association.peer})
                        await self._finish(writer, close_pdu(CloseReason.PROTOCOL_ERROR, message))
                    return
                buffer += chunk
                continue
            pdu = bytes(buffer[:size])
            del buffer[:size]
            reply = await self._reply(association, pdu)
            for response in reply.pdus:
                writer.write(response)
            await writer.drain()
            if reply.close:
                return

    async def _reply(self, association: Association, pdu: bytes) -> Reply:
        tag = pdu_tag(pdu)
        if tag in UNSERVED_PDU_TAGS:
            message = f"{UNSERVED_PDU_TAGS[tag]} is not served by mucluc"
            return Reply([close_pdu(CloseReason.PROTOCOL_ERROR, message)], close=True)
        if tag not in SERVED_PDU_TAGS:
            message = f"a PDU with tag {tag} is not a Z39.50 request"
            return Reply([close_pdu(CloseReason.PROTOCOL_ERROR, message)], close=True)
        try:
            name, value = decode_pdu(pdu)
        except BerError as error:
            logger.info("z3950_malformed_pdu", extra={"peer": association.peer, "tag": tag})
            return Reply([close_pdu(CloseReason.PROTOCOL_ERROR, str(error))], close=True)
        try:
            return await asyncio.to_thread(association.respond, name, value)
        except (asyncio.CancelledError, KeyboardInterrupt, SystemExit):
            raise
        except BaseException:
            # A fault of ours (a store outage, a bug): logged in full, and the client is told.
            # BaseException because a panic inside tantivy reaches Python as pyo3's
            # PanicException, which does not derive from Exception.
            logger.exception("z3950_request_failed", extra={"peer": association.peer})
            message = f"the server failed while answering {name}; the failure is logged"
            return Reply([close_pdu(CloseReason.SYSTEM_PROBLEM, message)], close=True)

    @staticmethod
    async def _finish(writer: asyncio.StreamWriter, pdu: bytes) -> None:
        """Send a last PDU, tolerating a client that has already gone."""
        with contextlib.suppress(ConnectionError):
            writer.write(pdu)
            await writer.drain()
