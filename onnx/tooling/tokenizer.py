"""BERT WordPiece tokenizer that reproduces Hugging Face `tokenizers` (what DJL runs) for the
bases' tokenizer.json: BertNormalizer(clean_text, handle_chinese_chars, lowercase, accents
stripped because strip_accents is null and lowercase is on), BertPreTokenizer, WordPiece with
"##" and max_input_chars_per_word, template [CLS] A [SEP], right truncation.

Equality with DJL is checked on real texts by `reproduce.py --stages tokcheck` and by the Java
test TokenizerEqualityTest.
"""
import json
import unicodedata


def _is_whitespace(c):
    return c in " \t\n\r" or c.isspace()


def _is_control(c):
    # Rust tokenizers: char::is_other() (categories C*), except the whitespace controls.
    if c in "\t\n\r":
        return False
    return unicodedata.category(c).startswith("C")


def _is_punctuation(c):
    # Rust tokenizers: is_ascii_punctuation() or a Unicode P* category.
    o = ord(c)
    if 33 <= o <= 47 or 58 <= o <= 64 or 91 <= o <= 96 or 123 <= o <= 126:
        return True
    return unicodedata.category(c).startswith("P")


def _is_chinese_char(o):
    return (0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0x20000 <= o <= 0x2A6DF
            or 0x2A700 <= o <= 0x2B73F or 0x2B740 <= o <= 0x2B81F or 0x2B820 <= o <= 0x2CEAF
            or 0xF900 <= o <= 0xFAFF or 0x2F800 <= o <= 0x2FA1F)


class WordPieceTokenizer:
    def __init__(self, tokenizer_json_path):
        with open(tokenizer_json_path, encoding="utf-8") as f:
            spec = json.load(f)
        model = spec["model"]
        if model["type"] != "WordPiece" or spec["normalizer"]["type"] != "BertNormalizer":
            raise ValueError("only BERT WordPiece tokenizer.json files are supported")
        norm = spec["normalizer"]
        self.lowercase = norm["lowercase"]
        self.strip_accents = norm["strip_accents"] if norm["strip_accents"] is not None else norm["lowercase"]
        self.vocab = model["vocab"]
        self.prefix = model["continuing_subword_prefix"]
        self.max_chars = model["max_input_chars_per_word"]
        self.unk_id = self.vocab[model["unk_token"]]
        self.cls_id = self.vocab["[CLS]"]
        self.sep_id = self.vocab["[SEP]"]
        # News text repeats words a lot; WordPiece of a word never changes, so memoise it.
        self._word_cache = {}

    def normalize(self, text):
        out = []
        for c in text:
            o = ord(c)
            if o == 0 or o == 0xFFFD or _is_control(c):
                continue
            if _is_whitespace(c):
                out.append(" ")
            elif _is_chinese_char(o):
                out.append(" " + c + " ")
            else:
                out.append(c)
        text = "".join(out)
        if self.strip_accents:
            text = "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")
        if self.lowercase:
            # Per character, like the Rust normalizer (no context-dependent final sigma).
            text = "".join(c.lower() for c in text)
        return text

    @staticmethod
    def pre_tokenize(text):
        words, current = [], []
        for c in text:
            if _is_whitespace(c):
                if current:
                    words.append("".join(current))
                    current = []
            elif _is_punctuation(c):
                if current:
                    words.append("".join(current))
                    current = []
                words.append(c)
            else:
                current.append(c)
        if current:
            words.append("".join(current))
        return words

    def word_ids(self, word):
        ids = self._word_cache.get(word)
        if ids is None:
            ids = self._word_cache[word] = self._wordpiece(word)
        return ids

    def _wordpiece(self, word):
        if len(word) > self.max_chars:
            return [self.unk_id]
        ids, start = [], 0
        while start < len(word):
            end = len(word)
            found = None
            while start < end:
                piece = word[start:end] if start == 0 else self.prefix + word[start:end]
                if piece in self.vocab:
                    found = self.vocab[piece]
                    break
                end -= 1
            if found is None:
                return [self.unk_id]
            ids.append(found)
            start = end
        return ids

    def encode(self, text, max_length=128):
        """Token ids with [CLS] and [SEP], truncated on the right to max_length (no padding)."""
        ids = []
        for word in self.pre_tokenize(self.normalize(text)):
            ids.extend(self.word_ids(word))
        return [self.cls_id] + ids[: max_length - 2] + [self.sep_id]
