"""A fake OpenAI-compatible server for the remote-model tests: canned chat completions, whole or
streamed as server-sent events, in the two shapes real servers give reasoning, and the failures a
client must report. Prints {"port": N} on its first line, then serves until stdin closes.

Models:
  reasoner  reasoning in `reasoning_content` (DeepSeek, vLLM, llama.cpp)
  tagger    reasoning inside <think> ... </think> in the content (Ollama, LM Studio)
  slow      answers nothing for a minute (timeouts, cancelling a wait)
  dribble   streams one reasoning token every 50 ms for a minute (cancelling mid-stream)
  broken    500 with a plain-text body
Both canned models answer arithmetic in the last user turn ("What is 17 * 23?") correctly.
Errors: a wrong bearer key (with --api-key) 401, negative max_tokens 400, unknown model 404, all
as OpenAI error objects. GET /debug/last returns the last chat request's body.
"""

import argparse
import json
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MODELS = ["reasoner", "tagger", "slow", "dribble", "broken"]
last_request = {}


def solve(messages):
    """The reasoning and answer for the last user turn."""
    text = next((m["content"] for m in reversed(messages) if m["role"] == "user"), "")
    match = re.search(r"(-?\d+)\s*([-+*])\s*(-?\d+)", text)
    if not match:
        return "Nothing to compute here.", "I can only do arithmetic."
    a, op, b = int(match.group(1)), match.group(2), int(match.group(3))
    value = a + b if op == "+" else a - b if op == "-" else a * b
    reasoning = f"We need {a} {op} {b}. Let me compute: that is {value}. Wait, check it again: {value}."
    return reasoning, f"The answer is \\boxed{{{value}}}."


def pieces(text):
    """Words with their spaces, as a server streams tokens."""
    return re.findall(r"\S+\s*|\s+", text)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    api_key = None

    def log_message(self, *args):
        pass

    def send_json(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def send_error_object(self, status, message, kind, code=None):
        self.send_json(status, {"error": {"message": message, "type": kind, "param": None, "code": code}})

    def authorized(self):
        if self.api_key and self.headers.get("Authorization") != f"Bearer {self.api_key}":
            self.send_error_object(401, "Incorrect API key provided.", "invalid_request_error", "invalid_api_key")
            return False
        return True

    def do_GET(self):
        if self.path == "/debug/last":
            return self.send_json(200, last_request)
        if not self.authorized():
            return
        if self.path == "/v1/models":
            return self.send_json(200, {"object": "list", "data": [{"id": m, "object": "model"} for m in MODELS]})
        self.send_error_object(404, f"No route {self.path}", "invalid_request_error")

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.path != "/v1/chat/completions":
            return self.send_error_object(404, f"No route {self.path}", "invalid_request_error")
        if not self.authorized():
            return
        try:
            request = json.loads(body)
        except ValueError:
            return self.send_error_object(400, "We could not parse the JSON body of your request.", "invalid_request_error")
        last_request.clear()
        last_request.update(request)
        model = request.get("model")
        if request.get("max_tokens", 1) < 0:
            return self.send_error_object(400, "max_tokens must be at least 1, got -1.", "invalid_request_error")
        if model not in MODELS:
            return self.send_error_object(404, f"The model `{model}` does not exist.", "invalid_request_error", "model_not_found")
        if model == "broken":
            data = b"internal failure: the GPU caught fire"
            self.send_response(500)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            return self.wfile.write(data)
        if model == "slow":
            time.sleep(60)
            return
        reasoning, answer = solve(request.get("messages", []))
        if request.get("stream"):
            return self.stream(request, model, reasoning, answer)
        message = {"role": "assistant"}
        if model == "reasoner":
            message.update(content=answer, reasoning_content=reasoning)
        else:
            message.update(content=f"<think>\n{reasoning}\n</think>\n\n{answer}")
        tokens = len(pieces(reasoning)) + len(pieces(answer))
        self.send_json(200, {"id": "chatcmpl-1", "object": "chat.completion", "model": model,
                             "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
                             "usage": {"prompt_tokens": 10, "completion_tokens": tokens, "total_tokens": tokens + 10}})

    def chunk(self, data):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def event(self, obj):
        self.chunk(b"data: " + json.dumps(obj).encode() + b"\n\n")

    def stream(self, request, model, reasoning, answer):
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        base = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "model": model}
        delta = lambda d, finish=None: dict(base, choices=[{"index": 0, "delta": d, "finish_reason": finish}])
        self.chunk(b": keep-alive\n\n")
        self.event(delta({"role": "assistant", "content": ""}))
        count = 0
        try:
            if model == "dribble":
                for i in range(1200):
                    self.event(delta({"reasoning_content": f"step {i} "}))
                    time.sleep(0.05)
            elif model == "reasoner":
                for piece in pieces(reasoning):
                    self.event(delta({"reasoning_content": piece}))
                    count += 1
                for piece in pieces(answer):
                    self.event(delta({"content": piece}))
                    count += 1
            else:
                # Tags split across chunks, as a tokenizer would cut them.
                for piece in ["<th", "ink>\n"] + pieces(reasoning) + ["\n</", "think>\n\n"] + pieces(answer):
                    self.event(delta({"content": piece}))
                    count += 1
            self.event(delta({}, "stop"))
            if request.get("stream_options", {}).get("include_usage"):
                self.event(dict(base, choices=[], usage={"prompt_tokens": 10, "completion_tokens": count,
                                                         "total_tokens": count + 10}))
            self.chunk(b"data: [DONE]\n\n")
            self.chunk(b"")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client hung up: a cancelled stream


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)  # a client hanging up is no error here


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--api-key")
    args = parser.parse_args()
    Handler.api_key = args.api_key
    server = Server(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(json.dumps({"port": server.server_address[1]}), flush=True)
    sys.stdin.read()  # the test closes stdin (or dies) to stop the server


if __name__ == "__main__":
    main()
