// Encodes JSON lines {"text"} with an arbitrary tokenizer.json through the peer's library:
// node encode_with.mjs TOKENIZER_JSON < in.jsonl > out.jsonl (run from the peer's folder).
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { TokenizerLoader } from "@lenml/tokenizers";

const tokenizerJSON = JSON.parse(readFileSync(process.argv[2], "utf8"));
const tokenizer = TokenizerLoader.fromPreTrained({
  tokenizerJSON,
  tokenizerConfig: { tokenizer_class: "PreTrainedTokenizer", clean_up_tokenization_spaces: false },
});
const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  if (!line.trim()) continue;
  const { text } = JSON.parse(line);
  process.stdout.write(JSON.stringify({ ids: tokenizer.encode(text, { add_special_tokens: false }) }) + "\n");
}
