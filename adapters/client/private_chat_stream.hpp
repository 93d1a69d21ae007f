#pragma once

// PrivateChatStream.AddMessages (proto/private_chat_stream.proto): many
// private messages in flight between two chat-actors clients on one gRPC
// stream. A unary AddMessage per message allows one in flight at a time,
// since the receiver's gRPC threads may file overlapping calls out of
// order (and its replay floor then refuses the overtaken ones); a stream
// keeps them in order, so a burst costs one round trip, not one per
// message. Original clients keep the unary call.

#include "adapters/client/private_chat_grpc.hpp"

#include <chrono>
#include <memory>
#include <string>

namespace grpc {
class Channel;
class ServerContextBase;
class Service;
} // namespace grpc

namespace chat {

/// The server side: reads each stream's messages in order, hands each to
/// `handler` (as the unary service does) and writes its receipt when the
/// reply comes. At most `max_unanswered` messages of a stream wait for their
/// reply before it reads on.
std::unique_ptr<grpc::Service> make_stream_service(incoming_handler handler,
                                                   size_t max_unanswered);

/// A stub whose sends go on one stream over `channel`, in order, and may
/// overlap (`ordered()`). The stream lives as long as the stub (a send
/// after it broke opens another); it has no deadline of its own: the
/// caller ends a send that takes too long, or an idle conversation, by
/// dropping the stub, which cancels the stream and fails what it carries.
std::shared_ptr<peer_stub> make_stream_stub(std::shared_ptr<grpc::Channel> channel);

/// Waits until gRPC is done with the streams of dropped stubs (a dropped
/// stub cancels its stream without waiting), and frees them; false if some
/// outlive `timeout`. Call it once the actors are gone, before gRPC shuts
/// down.
bool drain_private_streams(std::chrono::milliseconds timeout);

/// SHA-256 (hex) of the client certificate of the call's TLS connection;
/// empty on plaintext.
std::string client_cert_fingerprint(const grpc::ServerContextBase& ctx);

} // namespace chat
