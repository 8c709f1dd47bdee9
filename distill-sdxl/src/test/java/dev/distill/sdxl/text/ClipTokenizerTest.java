package dev.distill.sdxl.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.testing.NullPointerTester;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClipTokenizerTest {
  private static ClipTokenizer tok1;
  private static ClipTokenizer tok2;

  @BeforeAll
  static void load() throws IOException {
    tok1 = ClipTokenizer.load(Fixtures.sdxlTiny().resolve("tokenizer"));
    tok2 = ClipTokenizer.load(Fixtures.sdxlTiny().resolve("tokenizer_2"));
  }

  @Test
  void longPromptIsTruncatedToBosFirst75TokensEos() {
    String prompt = "a painting of a squirrel ".repeat(30);
    int[] full = tok1.idsWithSpecialTokens(prompt);
    int[] ids = tok1.encode(prompt);
    assertThat(full.length).isEqualTo(2 + 150);
    assertThat(ids).hasSize(77);
    assertThat(ids[0]).isEqualTo(tok1.bosTokenId());
    assertThat(Arrays.copyOfRange(ids, 1, 76)).containsExactly(Arrays.copyOfRange(full, 1, 76));
    assertThat(ids[76]).isEqualTo(tok1.eosTokenId());
  }

  @Test
  void promptOfExactly75TokensIsNotTruncated() {
    String prompt = "a ".repeat(75);
    int[] ids = tok2.encode(prompt);
    assertThat(tok2.tokenize(prompt)).hasSize(75);
    assertThat(ids).containsExactly(tok2.idsWithSpecialTokens(prompt));
  }

  @Test
  void paddingUsesEachTokenizersOwnPadId() {
    int[] ids1 = tok1.encode("a");
    int[] ids2 = tok2.encode("a");
    assertThat(Arrays.copyOfRange(ids1, 3, 77)).containsOnly(tok1.eosTokenId());
    assertThat(tok2.padTokenId()).isZero();
    assertThat(ids2[2]).isEqualTo(tok2.eosTokenId());
    assertThat(Arrays.copyOfRange(ids2, 3, 77)).containsOnly(0);
  }

  @Test
  void padTokenBangIsSplitOutBeforeBpeOnlyInTokenizer2() {
    assertThat(tok1.tokenize("world!")).containsExactly("world</w>", "!</w>");
    assertThat(tok2.tokenize("world!")).containsExactly("world</w>", "!");
    assertThat(tok2.tokenize("!!")).containsExactly("!", "!");
    assertThat(tok2.encode("world!")[2]).isZero();
  }

  @Test
  void specialTokensInTheTextBecomeTheirIds() {
    int[] ids = tok1.idsWithSpecialTokens("a<|endoftext|>a");
    assertThat(ids).containsExactly(816, 320, 817, 320, 817);
    // Not matched by the added-token split (case differs), lower-cased, then caught by the
    // pre-tokenizer regex and the BPE cache entry, exactly as in transformers.
    assertThat(tok1.tokenize("A <|ENDOFTEXT|>")).containsExactly("a</w>", "<|endoftext|>");
  }

  @Test
  void cleanupDropsControlCharactersAndNormalisesWhitespaceAndCase() {
    assertThat(tok1.tokenize("\u0000  A\u200b\tPainting\u00a0\r\nOF\u0007"))
        .isEqualTo(tok1.tokenize("a painting of"));
  }

  @Test
  void cleanupComposesToNfcAndKeepsAccents() {
    assertThat(tok1.tokenize("cafe\u0301")).isEqualTo(tok1.tokenize("caf\u00e9"));
    assertThat(tok1.tokenize("caf\u00e9")).isNotEqualTo(tok1.tokenize("cafe"));
  }

  @Test
  void cjkIdeographsBecomeSeparateWords() {
    assertThat(tok1.tokenize("\u6771\u4eac")).isEqualTo(tok1.tokenize("\u6771 \u4eac"));
    assertThat(tok1.tokenize("\u6771\u4eac")).hasSize(6).last().asString().endsWith("</w>");
  }

  @Test
  void contractionsAndDigitsArePreTokenizedLikeClip() {
    assertThat(tok1.tokenize("it's 42")).containsExactly("it</w>", "'", "s</w>", "4</w>", "2</w>");
  }

  @Test
  void emptyPromptIsBosEosAndPadding() {
    assertThat(tok1.tokenize("")).isEmpty();
    assertThat(tok1.idsWithSpecialTokens("   ")).containsExactly(816, 817);
  }

  @Test
  void encodeRejectsLengthBelowTwo() {
    assertThatThrownBy(() -> tok1.encode("a", 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("length must be >= 2 but was 1");
  }

  @Test
  void unknownTokensMapToTheUnknownId() {
    assertThat(tok1.tokenToId("no-such-token</w>")).isEqualTo(tok1.unkTokenId());
  }

  @Test
  void missingVocabFileIsNamed(@TempDir Path dir) throws IOException {
    copyTokenizer(dir, "merges.txt");
    assertThatThrownBy(() -> ClipTokenizer.load(dir))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining("vocab.json");
  }

  @Test
  void missingMergesFileIsNamed(@TempDir Path dir) throws IOException {
    copyTokenizer(dir, "vocab.json");
    assertThatThrownBy(() -> ClipTokenizer.load(dir))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining("merges.txt");
  }

  @Test
  void missingFolderIsNamed(@TempDir Path dir) {
    Path absent = dir.resolve("nope");
    assertThatThrownBy(() -> ClipTokenizer.load(absent))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining(absent.toString());
  }

  @Test
  void malformedVocabNamesTheFile(@TempDir Path dir) throws IOException {
    copyTokenizer(dir, "merges.txt");
    Files.writeString(dir.resolve("vocab.json"), "{\"a\": ");
    assertThatThrownBy(() -> ClipTokenizer.load(dir))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(dir.resolve("vocab.json").toString());
  }

  @Test
  void optionalFilesDefaultToClipSpecialTokens(@TempDir Path dir) throws IOException {
    copyTokenizer(dir, "vocab.json", "merges.txt");
    ClipTokenizer t = ClipTokenizer.load(dir);
    assertThat(t.padToken()).isEqualTo("<|endoftext|>");
    assertThat(t.padTokenId()).isEqualTo(817);
    assertThat(t.maxLength()).isEqualTo(77);
    assertThat(t.encode("hello, world!")).containsExactly(tok1.encode("hello, world!"));
  }

  @Test
  void specialTokensMapOverridesTokenizerConfig(@TempDir Path dir) throws IOException {
    copyTokenizer(dir, "vocab.json", "merges.txt", "tokenizer_config.json");
    Files.writeString(
        dir.resolve("special_tokens_map.json"), "{\"pad_token\": {\"content\": \"!\"}}");
    ClipTokenizer t = ClipTokenizer.load(dir);
    assertThat(t.padToken()).isEqualTo("!");
    assertThat(t.padTokenId()).isZero();
  }

  @Test
  void mergesAreCappedAndHeaderSkippedLikeTransformers() {
    String merges = "#version: 0.2\r\na b\nb c\na b\nx y z\n\n";
    var ranks = ByteLevelBpe.parseMerges(merges);
    assertThat(ranks).containsEntry("a b", 2).containsEntry("b c", 1).hasSize(2);
    assertThat(tok1.mergeCount()).isEqualTo(304);
  }

  @Test
  void publicMethodsRejectNulls() {
    NullPointerTester tester = new NullPointerTester();
    tester.testAllPublicStaticMethods(ClipTokenizer.class);
    tester.testAllPublicInstanceMethods(tok1);
  }

  private static void copyTokenizer(Path dir, String... names) throws IOException {
    Path src = Fixtures.sdxlTiny().resolve("tokenizer");
    for (String n : List.of(names)) {
      Files.copy(src.resolve(n), dir.resolve(n));
    }
  }
}
