package dev.distill.sdxl.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Seeded property tests of the tokenizer (override the base seed with -Ddistill.seed=...). */
class ClipTokenizerPropertyTest {
  private static final long BASE_SEED = Long.getLong("distill.seed", 20_240_611L);
  private static final String[] PIECES = {
    "a",
    "painting",
    "Of",
    "SQUIRREL",
    "burger",
    "!",
    "!!",
    "?",
    "...",
    "'s",
    "'LL",
    "it's",
    "#1",
    "1024x768",
    "42",
    "caf\u00e9",
    "cafe\u0301",
    "na\u00efve",
    "\u6771\u4eac",
    "\u3053\u3093",
    "\ud83d\ude00",
    "\u00a0",
    "\u200b",
    "\u0007",
    "\u0000",
    "\t",
    "\n",
    "\r\n",
    "  ",
    " ",
    "<|endoftext|>",
    "<|startoftext|>",
    "<|ENDOFTEXT|>",
    "<|endof",
    "\u0130stanbul",
    "\u03a3\u039f\u03a3",
    "\u2028",
    "\ufffd",
    "x\u0301\u0302",
    "\u00df",
    "-",
    "(",
    ")",
    "&"
  };

  private static ClipTokenizer tok1;
  private static ClipTokenizer tok2;

  @BeforeAll
  static void load() throws IOException {
    tok1 = ClipTokenizer.load(Fixtures.sdxlTiny().resolve("tokenizer"));
    tok2 = ClipTokenizer.load(Fixtures.sdxlTiny().resolve("tokenizer_2"));
  }

  static Stream<Long> seeds() {
    return LongStream.range(0, 100).mapToObj(i -> BASE_SEED + i);
  }

  private static String randomText(Random r) {
    StringBuilder b = new StringBuilder();
    int n = r.nextInt(120);
    for (int i = 0; i < n; i++) {
      b.append(PIECES[r.nextInt(PIECES.length)]);
      if (r.nextInt(3) > 0) {
        b.append(' ');
      }
    }
    return b.toString();
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void encodeIsBosThenUntruncatedPrefixThenEosThenPadding(long seed) {
    String text = randomText(new Random(seed));
    for (ClipTokenizer tok : List.of(tok1, tok2)) {
      int[] full = tok.idsWithSpecialTokens(text);
      int[] ids = tok.encode(text);
      int kept = Math.min(full.length - 2, tok.maxLength() - 2);
      assertThat(ids).hasSize(tok.maxLength());
      assertThat(ids[0]).isEqualTo(tok.bosTokenId());
      assertThat(Arrays.copyOfRange(ids, 1, kept + 1))
          .containsExactly(Arrays.copyOfRange(full, 1, kept + 1));
      assertThat(ids[kept + 1]).isEqualTo(tok.eosTokenId());
      for (int i = kept + 2; i < ids.length; i++) {
        assertThat(ids[i]).as("padding at %s", i).isEqualTo(tok.padTokenId());
      }
      assertThat(Arrays.stream(full).min().orElseThrow()).isGreaterThanOrEqualTo(0);
      assertThat(Arrays.stream(full).max().orElseThrow()).isLessThan(tok.vocabSize());
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void tokensOfTextsJoinedBySpaceAreTheConcatenation(long seed) {
    Random r = new Random(seed);
    String a = randomText(r);
    String b = randomText(r);
    for (ClipTokenizer tok : List.of(tok1, tok2)) {
      List<String> expected = new ArrayList<>(tok.tokenize(a));
      expected.addAll(tok.tokenize(b));
      assertThat(tok.tokenize(a + " " + b)).as("%s | %s", a, b).isEqualTo(expected);
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void theTwoTokenizersDifferOnlyWhereBangIsItsOwnToken(long seed) {
    String text = randomText(new Random(seed)).replace("!", "");
    assertThat(tok2.tokenize(text)).isEqualTo(tok1.tokenize(text));
  }
}
