#!/usr/bin/env python3
# token-server.py PORTFILE - for the benchmarks: an OpenAI-shaped chat completions server on
# 127.0.0.1 (its port written to PORTFILE) that always answers HEARTBEAT_OK and counts the
# calls and the tokens it is sent: a token per 4 characters of the messages (the usual rule
# of thumb), 3 tokens of reply. GET / answers {"calls": N, "tokens": N}.
import json, math, sys
from http.server import BaseHTTPRequestHandler, HTTPServer

calls = 0
tokens = 0

class H(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def do_GET(self):
        body = json.dumps({"calls": calls, "tokens": tokens}).encode()
        self.send_response(200)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        global calls, tokens
        req = json.loads(self.rfile.read(int(self.headers["content-length"])))
        text = "".join(m["content"] if isinstance(m["content"], str) else json.dumps(m["content"])
                       for m in req["messages"])
        pin, pout = math.ceil(len(text) / 4), 3
        calls += 1
        tokens += pin + pout
        usage = {"prompt_tokens": pin, "completion_tokens": pout, "total_tokens": pin + pout}
        if req.get("stream"):
            self.send_response(200)
            self.send_header("content-type", "text/event-stream")
            self.end_headers()
            for chunk in ({"choices": [{"index": 0, "delta": {"content": "HEARTBEAT_OK"}}]},
                          {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
                          {"choices": [], "usage": usage}):
                chunk.update({"id": "c", "object": "chat.completion.chunk", "model": req["model"]})
                self.wfile.write(b"data: " + json.dumps(chunk).encode() + b"\n\n")
            self.wfile.write(b"data: [DONE]\n\n")
            return
        body = json.dumps({"id": "c", "object": "chat.completion", "model": req["model"],
                           "choices": [{"index": 0, "finish_reason": "stop",
                                        "message": {"role": "assistant", "content": "HEARTBEAT_OK"}}],
                           "usage": usage}).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

s = HTTPServer(("127.0.0.1", 0), H)
open(sys.argv[1], "w").write(str(s.server_port))
s.serve_forever()
