"""A numpy-free byte-level BPE encoder for a Hugging Face ``tokenizer.json`` (GPT-2 / GPT-NeoX style: ByteLevel
pre-tokenizer with the GPT-2 split pattern, BPE merges, no normalizer), for the reference runner's ``--tokenize``.

Python's ``re`` has no ``\\p{L}``/``\\p{N}``: letters are ``[^\\W\\d_]`` and numbers ``\\d``, exact for ASCII and close
for the rest. Special added tokens are not matched inside text (the gate never sends them).
"""
import json
import re

_PATTERN = re.compile(r"""'s|'t|'re|'ve|'m|'ll|'d| ?[^\W\d_]+| ?\d+| ?[^\s\w]+|\s+(?!\S)|\s+""")


def _bytes_to_unicode():
    """GPT-2's reversible byte -> printable character map."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, map(chr, cs)))


class ByteLevelBPE:
    def __init__(self, tokenizer_json):
        with open(tokenizer_json, encoding="utf-8") as f:
            t = json.load(f)
        model = t["model"]
        if model.get("type") != "BPE":
            raise ValueError(f"{tokenizer_json}: model type {model.get('type')!r}; this encoder handles byte-level BPE only")
        self.vocab = model["vocab"]
        merges = [tuple(m.split(" ")) if isinstance(m, str) else tuple(m) for m in model["merges"]]
        self.ranks = {m: i for i, m in enumerate(merges)}
        self.byte_encoder = _bytes_to_unicode()
        self._cache = {}

    def _bpe(self, word):
        if word in self._cache:
            return self._cache[word]
        parts = list(word)
        while len(parts) > 1:
            pairs = [(self.ranks.get((a, b), float("inf")), i) for i, (a, b) in enumerate(zip(parts, parts[1:]))]
            rank, i = min(pairs)
            if rank == float("inf"):
                break
            parts = parts[:i] + [parts[i] + parts[i + 1]] + parts[i + 2:]
        self._cache[word] = parts
        return parts

    def encode(self, text):
        ids = []
        for piece in _PATTERN.findall(text):
            mapped = "".join(self.byte_encoder[b] for b in piece.encode("utf-8"))
            for token in self._bpe(mapped):
                if token not in self.vocab:
                    raise ValueError(f"token {token!r} is not in the vocabulary")
                ids.append(self.vocab[token])
        return ids
