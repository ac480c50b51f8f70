import { sendUnaryData, ServerUnaryCall } from '@grpc/grpc-js';
import { ClusterInfo, EndPoint, MemberInfo } from '@eventstore/db-client/generated/gossip_pb';
import { SupportedMethod, SupportedMethods } from '@eventstore/db-client/generated/serverfeatures_pb';
import { Empty } from '@eventstore/db-client/generated/shared_pb';
import { uuid } from './wire';

/** The version a 24.10 node reports; the client only uses it to decide on features. */
const SERVER_VERSION = '24.10.0';

/**
 * ServerFeatures.GetSupportedMethods: the client asks once per connection and uses
 * BatchAppend for appends only when the server lists it (a 24.10 node does).
 */
export function supportedMethodsHandler(options: { batchAppend: boolean }) {
  const methods: Array<[service: string, method: string]> = [
    ['event_store.client.streams.streams', 'read'],
    ['event_store.client.streams.streams', 'append'],
    ['event_store.client.gossip.gossip', 'read'],
    ['event_store.client.server_features.serverfeatures', 'getsupportedmethods'],
  ];
  if (options.batchAppend) methods.push(['event_store.client.streams.streams', 'batchappend']);
  return (_call: ServerUnaryCall<Empty, SupportedMethods>, callback: sendUnaryData<SupportedMethods>) => {
    const supported = new SupportedMethods().setEventStoreServerVersion(SERVER_VERSION);
    for (const [service, method] of methods) {
      supported.addMethods(new SupportedMethod().setServiceName(service).setMethodName(method));
    }
    callback(null, supported);
  };
}

/** Gossip.Read: a one-node "cluster" whose leader is this server, for `esdb+discover://`. */
export function gossipHandler(instanceId: string, endpoint: () => { address: string; port: number }) {
  return (_call: ServerUnaryCall<Empty, ClusterInfo>, callback: sendUnaryData<ClusterInfo>) => {
    const { address, port } = endpoint();
    const leader = new MemberInfo()
      .setInstanceId(uuid(instanceId))
      .setTimeStamp(Date.now().toString())
      .setState(MemberInfo.VNodeState.LEADER)
      .setIsAlive(true)
      .setHttpEndPoint(new EndPoint().setAddress(address).setPort(port));
    callback(null, new ClusterInfo().setMembersList([leader]));
  };
}
