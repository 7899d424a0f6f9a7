"""The official `openai` client against `thinkbench-cli serve`: prints one JSON line per case with
what the client saw, for tests/inference/tst_serve.cpp to check.

  conformance URL KEY MODEL   plain and streamed chat, reasoning deltas, stop strings, n > 1, a
                              cancelled stream, a wrong key, malformed bodies, then a normal reply
  concurrency URL KEY MODEL   16 streaming clients at once (staggered starts, sampled, different
                              lengths), then each request again alone
  health URL KEY MODEL        GET /health
"""

import json
import sys
import threading
import time
import urllib.error
import urllib.request

from openai import OpenAI, APIStatusError

mode, url, key, model = sys.argv[1:5]
client = OpenAI(base_url=url + "/v1", api_key=key, max_retries=0, timeout=120)


def emit(case, **fields):
    print(json.dumps({"case": case, **fields}), flush=True)


def whole(response):
    return [{"reasoning": c.message.reasoning_content, "content": c.message.content,
             "finish": c.finish_reason} for c in response.choices]


def streamed(n=1, **kwargs):
    """A streamed reply put back together per choice, with what the chunks looked like."""
    choices = [{"reasoning": "", "content": "", "finish": None, "reasoning_deltas": 0, "content_deltas": 0}
               for _ in range(n)]
    usage, first_token, start = None, None, time.monotonic()
    for chunk in client.chat.completions.create(model=model, stream=True, n=n,
                                                stream_options={"include_usage": True}, **kwargs):
        if chunk.usage:
            usage = chunk.usage.model_dump()
        for c in chunk.choices:
            d, out = c.delta, choices[c.index]
            reasoning = getattr(d, "reasoning_content", None) or (d.model_extra or {}).get("reasoning_content")
            if reasoning:
                out["reasoning"] += reasoning
                out["reasoning_deltas"] += 1
            if d.content:
                out["content"] += d.content
                out["content_deltas"] += 1
            if (reasoning or d.content) and first_token is None:
                first_token = time.monotonic() - start
            if c.finish_reason:
                out["finish"] = c.finish_reason
    return choices, usage, first_token


def raw(body, auth=True):
    """POSTs a body as it is; returns the status and the parsed reply."""
    request = urllib.request.Request(url + "/v1/chat/completions", data=body.encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    if auth:
        request.add_header("Authorization", "Bearer " + key)
    try:
        with urllib.request.urlopen(request, timeout=60) as reply:
            return reply.status, json.loads(reply.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def health():
    with urllib.request.urlopen(url + "/health", timeout=10) as reply:
        return json.loads(reply.read())


def ask(content):
    return [{"role": "user", "content": content}]


def conformance():
    emit("models", ids=[m.id for m in client.models.list().data])

    request = dict(messages=ask("What is 17 * 23?"), temperature=1.0, seed=7, max_tokens=24,
                   extra_body={"think_budget": 8})
    plain = client.chat.completions.create(model=model, **request)
    emit("plain", choices=whole(plain), usage=plain.usage.model_dump())
    choices, usage, _ = streamed(**request)
    emit("stream", choices=choices, usage=usage)

    greedy = dict(messages=ask("Let me add 3 and 21."), temperature=0, max_tokens=30)
    free = whole(client.chat.completions.create(model=model, **greedy))[0]
    text = free["reasoning"]
    at = len(text) // 2
    while at + 3 < len(text) and not text[at:at + 3].isascii():
        at += 1
    stop = text[at:at + 3]
    stopped = whole(client.chat.completions.create(model=model, stop=[stop, "never-there"], **greedy))[0]
    stream_stopped, _, _ = streamed(stop=stop, **greedy)
    emit("stop", free=free, stop=stop, stopped=stopped, streamed=stream_stopped[0])

    sampled = dict(messages=ask("Count the apples."), temperature=1.0, seed=5, max_tokens=16)
    many = client.chat.completions.create(model=model, n=3, **sampled)
    choices, usage, _ = streamed(n=3, **sampled)
    emit("n", choices=whole(many), streamed=choices, usage=many.usage.model_dump())

    stream = client.chat.completions.create(model=model, stream=True, messages=ask("Go on and on."),
                                            max_tokens=400, seed=1)
    read = 0
    for _ in stream:
        read += 1
        if read == 3:
            break
    rows_during = health()["batch_rows"]
    stream.close()
    start, rows = time.monotonic(), None
    while time.monotonic() - start < 10:
        rows = health()["batch_rows"]
        if rows == 0:
            break
        time.sleep(0.02)
    emit("cancel", chunks=read, rows_during=rows_during, rows_after=rows, seconds=time.monotonic() - start)

    try:
        OpenAI(base_url=url + "/v1", api_key="wrong", max_retries=0).chat.completions.create(
            model=model, messages=ask("hi"), max_tokens=2)
        emit("wrong_key", status=200)
    except APIStatusError as error:
        emit("wrong_key", status=error.status_code, body=error.response.json())
    status, body = raw(json.dumps({"model": model, "messages": ask("hi")}), auth=False)
    emit("no_key", status=status, body=body)

    long_prompt = "Let me add 3 and 21. " * 400
    for name, body in [("malformed", '{"model": "' + model + '", "messages": [{"role": "user", "content": "hi"}'),
                       ("not_object", "[1, 2]"),
                       ("unknown_model", json.dumps({"model": "gpt-nothing", "messages": ask("hi")})),
                       ("negative_max_tokens", json.dumps({"model": model, "messages": ask("hi"), "max_tokens": -5})),
                       ("too_long", json.dumps({"model": model, "messages": ask(long_prompt)})),
                       ("no_messages", json.dumps({"model": model})),
                       ("bad_role", json.dumps({"model": model, "messages": [{"role": "robot", "content": "x"}]})),
                       ("bad_stop", json.dumps({"model": model, "messages": ask("hi"), "stop": 5}))]:
        status, reply = raw(body)
        emit("bad", name=name, status=status, body=reply)

    after = client.chat.completions.create(model=model, messages=ask("Still there?"), max_tokens=5, seed=3)
    emit("after", choices=whole(after), usage=after.usage.model_dump(), health=health())


def concurrency():
    clients = 16
    requests = [dict(messages=ask(f"Problem {i}: add {i} and {i * 7}."), temperature=1.0, top_p=0.95,
                     seed=100 + i, max_tokens=40 + (i * 7) % 29,
                     extra_body={"think_budget": 5} if i % 3 == 0 else {}) for i in range(clients)]
    together = [None] * clients
    errors = []

    def run(i):
        # Staggered by less than a reply takes, even on a quiet machine where the tiny model decodes
        # a token in a few ms: most join a batch already decoding.
        time.sleep(0.005 * i)
        try:
            choices, usage, first = streamed(**requests[i])
            together[i] = {"reply": choices[0], "usage": usage, "first_token": first}
        except Exception as error:  # reported, so the test names the client
            errors.append(f"client {i}: {error!r}")

    start = time.monotonic()
    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    emit("together", seconds=time.monotonic() - start, errors=errors)
    for i in range(clients):
        alone = client.chat.completions.create(model=model, **requests[i])
        emit("client", index=i, together=together[i], alone=whole(alone)[0], alone_usage=alone.usage.model_dump())


{"conformance": conformance, "concurrency": concurrency,
 "health": lambda: emit("health", health=health())}[mode]()
