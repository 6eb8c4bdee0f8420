"""A gRPC client in Python, built only from the contract's .proto, as the original's users wrote them.

Usage: contract_client.py HOST:PORT  (with client_service_pb2 on PYTHONPATH, made by protoc)

Reads one call per line from standard input, fields separated by tabs:
    send<TAB>CLIENT_ID<TAB>MESSAGE
    status<TAB>CLIENT_ID          (an empty CLIENT_ID asks for every client)
and prints one line per call:
    OK success=true info=Client 1 marked as connected.
    OK statuses={"1": "connected"}    (JSON, keys sorted)
    INVALID_ARGUMENT: Invalid message type: Hurrah
"""

import json
import sys

import grpc

import client_service_pb2 as pb

SERVICE = "/client_service.ClientService/"
DEADLINE_SECONDS = 10


def main(target):
    with grpc.insecure_channel(target) as channel:
        send_message = channel.unary_unary(
            SERVICE + "SendMessage",
            request_serializer=pb.MessageRequest.SerializeToString,
            response_deserializer=pb.MessageResponse.FromString,
        )
        get_client_status = channel.unary_unary(
            SERVICE + "GetClientStatus",
            request_serializer=pb.ClientStatusRequest.SerializeToString,
            response_deserializer=pb.ClientStatusResponse.FromString,
        )
        for line in sys.stdin:
            fields = line.rstrip("\n").split("\t")
            try:
                if fields[0] == "send":
                    request = pb.MessageRequest(client_id=fields[1], message=fields[2])
                    response = send_message(request, timeout=DEADLINE_SECONDS)
                    answer = "OK success=%s info=%s" % (str(response.success).lower(), response.info)
                elif fields[0] == "status":
                    request = pb.ClientStatusRequest(client_id=fields[1])
                    response = get_client_status(request, timeout=DEADLINE_SECONDS)
                    statuses = json.dumps(dict(response.statuses), sort_keys=True, ensure_ascii=False)
                    answer = "OK statuses=" + statuses
                else:
                    answer = "unknown call: " + line.rstrip("\n")
            except grpc.RpcError as error:
                answer = "%s: %s" % (error.code().name, error.details())
            print(answer, flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
