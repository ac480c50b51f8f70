import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

type RequestListener = (request: IncomingMessage, response: ServerResponse) => void;

/**
 * Requests pipelined on one connection (RFC 9112 §9.3) reach the app one at a time. Node parses
 * every request a client has sent and hands each to the app at once, queuing only the responses;
 * so a command pipelined behind another ran beside it (a small one behind a large one was stored
 * first), and one pipelined behind a request answered with `Connection: close` (a refusal, a
 * shutdown) ran and wrote to the store although its answer could never be sent. RFC 9112 §9.3.2
 * allows a server to process pipelined requests in parallel only if they are all safe.
 *
 * Here a request whose response has to wait for an earlier one on its connection (Node assigns
 * the connection to a response only once the previous response has finished) is handed to the
 * app only then. If the connection closes first (or is closing when Node reads the request: the
 * response before it said `Connection: close`), the waiting requests are never run: their
 * client sees the connection close without their answers, and may send them again, as after any
 * closed connection. Their responses are closed (a 'close' event, as Node emits for a response
 * whose connection ends), so whatever counts the requests in flight (GracefulShutdown) lets go.
 *
 * Call once, after the app has added its 'request' listener (Fastify's) and before anything that
 * must see every request first prepends its own (GracefulShutdown): those still see each request
 * when it arrives.
 */
export function answerPipelinedInOrder(server: Server): void {
  const listeners = server.listeners('request') as RequestListener[];
  server.removeAllListeners('request');
  const dispatch: RequestListener = (request, response) => {
    for (const listener of listeners) listener.call(server, request, response);
  };
  /** Per connection, the responses waiting for it, and so their requests. */
  const waiting = new WeakMap<Socket, Set<ServerResponse>>();
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const socket = request.socket;
    // The response before it closed the connection, and Node read this request after that
    // response had finished: it can never be answered. Node closes a response it gave the
    // connection when the connection closes; one it never gave it, nobody would close.
    if (socket.writableEnded || socket.destroyed) {
      if (!response.socket) response.emit('close');
      return;
    }
    if (response.socket) return dispatch(request, response);
    let queue = waiting.get(socket);
    if (!queue) {
      const responses = (queue = new Set());
      waiting.set(socket, responses);
      socket.once('close', () => {
        for (const queued of responses) queued.emit('close');
        responses.clear();
      });
    }
    queue.add(response);
    response.once('socket', () => {
      queue.delete(response);
      dispatch(request, response);
    });
  });
}
