"""A server that answers as the original Python system does, on grpcio, for the cross-language tests.

The original's source is not part of this repository; this plays it from its description (the seed)
and the contract's wire table, so that our console client is tested against a real Python gRPC
server and not only against our own. Like the original, it keeps statuses in a dict, accepts any
client ID, and has no RPC beyond the contract's two.

Usage: original_server.py PORT  (with client_service_pb2 on PYTHONPATH, made by protoc)
"""

import sys
import threading
from concurrent import futures

import grpc

import client_service_pb2 as pb


class ClientService:
    def __init__(self):
        self._statuses = {}
        self._lock = threading.Lock()

    def send_message(self, request, context):
        message = request.message.lower()
        if message == "hello":
            status = "connected"
        elif message == "goodbye":
            status = "disconnected"
        else:
            print("Warning: Invalid message type: %s" % request.message, flush=True)
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "Invalid message type: %s" % request.message)
        with self._lock:
            self._statuses[request.client_id] = status
        return pb.MessageResponse(success=True, info="Client %s marked as %s." % (request.client_id, status))

    def get_client_status(self, request, context):
        with self._lock:
            if not request.client_id:
                return pb.ClientStatusResponse(statuses=dict(self._statuses))
            if request.client_id in self._statuses:
                return pb.ClientStatusResponse(statuses={request.client_id: self._statuses[request.client_id]})
        context.abort(grpc.StatusCode.NOT_FOUND, "Client %s not found" % request.client_id)


def main(port):
    service = ClientService()
    handlers = grpc.method_handlers_generic_handler(
        "client_service.ClientService",
        {
            "SendMessage": grpc.unary_unary_rpc_method_handler(
                service.send_message,
                request_deserializer=pb.MessageRequest.FromString,
                response_serializer=pb.MessageResponse.SerializeToString,
            ),
            "GetClientStatus": grpc.unary_unary_rpc_method_handler(
                service.get_client_status,
                request_deserializer=pb.ClientStatusRequest.FromString,
                response_serializer=pb.ClientStatusResponse.SerializeToString,
            ),
        },
    )
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
    server.add_generic_rpc_handlers((handlers,))
    server.add_insecure_port("127.0.0.1:%d" % port)
    server.start()
    print("Server is starting on port %d." % port, flush=True)
    server.wait_for_termination()


if __name__ == "__main__":
    main(int(sys.argv[1]))
