/**
 * A TEST DOUBLE of EventStoreDB's gRPC protocol: NOT EventStoreDB.
 *
 * It serves the part of the protocol that the Newsroom adapter's client (@eventstore/db-client
 * 6.x) uses, built on the service definitions that client ships, over @grpc/grpc-js, on
 * 127.0.0.1 only, and keeps events in the embedded SqliteEventStore (which already follows
 * EventStoreDB's expected-revision and idempotence rules):
 *
 * - Streams.Append and Streams.BatchAppend (the client uses BatchAppend when ServerFeatures
 *   lists it, as a 24.10 node does; `batchAppend: false` exercises the plain Append path);
 * - Streams.Read: one stream forwards or backwards (StreamNotFound when absent), $all forwards
 *   (from a position inclusive) or backwards (exclusive), and catch-up subscriptions to $all:
 *   confirmation, catch-up, CaughtUp, live, with server-side filters and Checkpoints;
 * - ServerFeatures.GetSupportedMethods and Gossip.Read (a one-node cluster, for esdb+discover).
 *
 * Data and metadata must be JSON. Positions are deliberately commit = 2n, prepare = 2n - 1 for
 * the n-th event (see protocol/wire.ts). What a real server adds is listed in docs/eventstoredb.md.
 */
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import { GossipService } from '@eventstore/db-client/generated/gossip_grpc_pb';
import { ServerFeaturesService } from '@eventstore/db-client/generated/serverfeatures_grpc_pb';
import { StreamsService } from '@eventstore/db-client/generated/streams_grpc_pb';
import { SqliteEventStore } from '../../src/event-store/sqlite-event-store';
import { gossipHandler, supportedMethodsHandler } from './protocol/node-services';
import { appendHandler, batchAppendHandler } from './protocol/streams-append';
import { readHandler } from './protocol/streams-read';

const HOST = '127.0.0.1';
/** As large as the client accepts: events up to EventStoreDB's 16 MB limit fit. */
const MAX_MESSAGE_BYTES = 17 * 1024 * 1024;

export interface EsdbTestServerOptions {
  /** The SQLite file that holds the events; it outlives stop() and restart(). */
  file: string;
  /** Whether ServerFeatures lists BatchAppend (default true, as a 24.10 node does). */
  batchAppend?: boolean;
}

export interface EsdbTestServer {
  /** `esdb://127.0.0.1:<port>?tls=false` */
  readonly url: string;
  /** `esdb+discover://127.0.0.1:<port>?tls=false`: the client finds the leader through Gossip. */
  readonly discoverUrl: string;
  readonly port: number;
  /** Drops every connection at once, like a crashed node, and stops listening. Idempotent. */
  stop(): Promise<void>;
  /** Listens again on the same port, on the same SQLite file. */
  start(): Promise<void>;
  /** stop() then start(): every client connection drops, then the server is back. */
  restart(): Promise<void>;
}

export async function startEsdbTestServer(options: EsdbTestServerOptions): Promise<EsdbTestServer> {
  const instanceId = randomUUID();
  let port = 0;
  let running: { server: Server; store: SqliteEventStore } | null = null;

  const start = async () => {
    if (running) return;
    const store = new SqliteEventStore(options.file);
    const server = new Server({ 'grpc.max_receive_message_length': MAX_MESSAGE_BYTES });
    server.addService(StreamsService, {
      read: readHandler(store),
      append: appendHandler(store),
      batchAppend: batchAppendHandler(store),
    });
    server.addService(ServerFeaturesService, {
      getSupportedMethods: supportedMethodsHandler({ batchAppend: options.batchAppend ?? true }),
    });
    server.addService(GossipService, { read: gossipHandler(instanceId, () => ({ address: HOST, port })) });
    try {
      port = await bind(server, port);
    } catch (error) {
      await store.close();
      throw error;
    }
    running = { server, store };
  };

  const stop = async () => {
    if (!running) return;
    const { server, store } = running;
    running = null;
    // tryShutdown calls back once the listener and every session have closed; forceShutdown
    // then destroys the sessions at once, like a crashed node. The port is free on return.
    const closed = new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
    server.forceShutdown();
    await closed;
    await store.close();
  };

  await start();
  return {
    url: `esdb://${HOST}:${port}?tls=false`,
    discoverUrl: `esdb+discover://${HOST}:${port}?tls=false`,
    port,
    stop,
    start,
    restart: async () => {
      await stop();
      await start();
    },
  };
}

/** Binds to 127.0.0.1 (port 0: any free one); the same port again after a stop. */
function bind(server: Server, port: number): Promise<number> {
  return new Promise<number>((resolve, reject) =>
    server.bindAsync(`${HOST}:${port}`, ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
}
