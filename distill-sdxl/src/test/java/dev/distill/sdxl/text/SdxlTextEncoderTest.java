package dev.distill.sdxl.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.testing.EqualsTester;
import com.google.common.testing.NullPointerTester;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SdxlTextEncoderTest {
  private static final String PROMPT = "A painting of a squirrel eating a burger";
  private static SdxlTextEncoder encoder;

  @BeforeAll
  static void load() throws IOException {
    encoder = SdxlTextEncoder.load(Fixtures.sdxlTiny());
  }

  @AfterAll
  static void close() {
    encoder.close();
  }

  @Test
  void embeddingsHaveTheUnetShapes() {
    try (TensorScope s = TensorScope.open()) {
      PromptEmbeddings e = encoder.encode(PromptRequest.builder(List.of(PROMPT, "a cat")).build());
      assertThat(Tensors.shape(e.promptEmbeds())).containsExactly(2, 77, 64);
      assertThat(Tensors.shape(e.pooledPromptEmbeds())).containsExactly(2, 32);
      assertThat(e.negativePromptEmbeds()).isEmpty();
      assertThat(e.negativePooledPromptEmbeds()).isEmpty();
      assertThat(encoder.embeddingDim()).isEqualTo(64);
      assertThat(encoder.pooledDim()).isEqualTo(32);
    }
  }

  @Test
  void secondPromptDefaultsToThePromptAndOnlyChangesTheSecondEncoderHalf() {
    try (TensorScope s = TensorScope.open()) {
      PromptEmbeddings same = encoder.encode(PROMPT);
      PromptEmbeddings explicit =
          encoder.encode(PromptRequest.builder(PROMPT).prompt2(PROMPT).build());
      PromptEmbeddings emptySecond =
          encoder.encode(PromptRequest.builder(PROMPT).prompt2("").build());
      PromptEmbeddings other =
          encoder.encode(PromptRequest.builder(PROMPT).prompt2("a red car").build());
      assertThat(Tensors.maxAbsDiff(same.promptEmbeds(), explicit.promptEmbeds())).isZero();
      assertThat(Tensors.maxAbsDiff(same.promptEmbeds(), emptySecond.promptEmbeds())).isZero();
      Tensor firstHalf = same.promptEmbeds().narrow(2, 0, 32);
      assertThat(Tensors.maxAbsDiff(firstHalf, other.promptEmbeds().narrow(2, 0, 32))).isZero();
      assertThat(
              Tensors.maxAbsDiff(
                  same.promptEmbeds().narrow(2, 32, 32), other.promptEmbeds().narrow(2, 32, 32)))
          .isGreaterThan(1e-4);
      assertThat(Tensors.maxAbsDiff(same.pooledPromptEmbeds(), other.pooledPromptEmbeds()))
          .isGreaterThan(1e-4);
    }
  }

  @Test
  void noNegativePromptGivesZerosUnderForceZerosButEmptyNegativeIsEncoded() {
    try (TensorScope s = TensorScope.open()) {
      PromptEmbeddings zeros =
          encoder.encode(PromptRequest.builder(PROMPT).classifierFreeGuidance(true).build());
      assertThat(zeros.negativePromptEmbeds().orElseThrow().abs().max().item_double()).isZero();
      assertThat(zeros.negativePooledPromptEmbeds().orElseThrow().abs().max().item_double())
          .isZero();
      assertThat(Tensors.shape(zeros.negativePromptEmbeds().orElseThrow()))
          .containsExactly(1, 77, 64);

      PromptEmbeddings empty = encoder.encode(PROMPT, "");
      PromptEmbeddings ofEmpty = encoder.encode("");
      assertThat(
              Tensors.maxAbsDiff(
                  empty.negativePromptEmbeds().orElseThrow(), ofEmpty.promptEmbeds()))
          .isZero();
      assertThat(
              Tensors.maxAbsDiff(
                  empty.negativePooledPromptEmbeds().orElseThrow(), ofEmpty.pooledPromptEmbeds()))
          .isZero();
    }
  }

  @Test
  void negativePromptEncodesLikeAPositivePrompt() {
    try (TensorScope s = TensorScope.open()) {
      PromptEmbeddings withNegative = encoder.encode(PROMPT, "blurry, low quality");
      PromptEmbeddings negativeAlone = encoder.encode("blurry, low quality");
      assertThat(
              Tensors.maxAbsDiff(
                  withNegative.negativePromptEmbeds().orElseThrow(), negativeAlone.promptEmbeds()))
          .isZero();
    }
  }

  @Test
  void overlongPromptIsTruncatedLikeThePipeline() {
    String longPrompt = "a painting of a squirrel ".repeat(40);
    try (TensorScope s = TensorScope.open()) {
      PromptEmbeddings e = encoder.encode(longPrompt);
      // bos + 75 tokens + eos: everything after the 75th token is dropped.
      assertThat(encoder.tokenizer().tokenize(longPrompt)).hasSize(200);
      PromptEmbeddings shorter = encoder.encode("a painting of a squirrel ".repeat(15));
      assertThat(Tensors.shape(e.promptEmbeds())).containsExactly(1, 77, 64);
      assertThat(Tensors.maxAbsDiff(e.promptEmbeds(), shorter.promptEmbeds())).isZero();
    }
  }

  @Test
  void requestRejectsMismatchedBatchSizes() {
    assertThatThrownBy(
            () -> PromptRequest.builder(List.of("a", "b")).prompts2(List.of("c")).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("prompts2 must have 2 entries");
    assertThatThrownBy(
            () -> new PromptRequest(List.of("a"), List.of(), true, List.of("x", "y"), List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("negativePrompts must be empty or have 1 entries");
    assertThatThrownBy(() -> PromptRequest.builder(List.of()).build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                PromptRequest.builder("a")
                    .negativePrompt("b")
                    .classifierFreeGuidance(false)
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("classifierFreeGuidance is false");
  }

  @Test
  void singleNegativePromptIsRepeatedOverTheBatch() {
    PromptRequest r = PromptRequest.builder(List.of("a", "b")).negativePrompt("n").build();
    assertThat(r.negativePrompts()).containsExactly("n", "n");
    assertThat(r.classifierFreeGuidance()).isTrue();
    assertThat(r.batchSize()).isEqualTo(2);
  }

  @Test
  void missingComponentFolderIsNamed(@TempDir Path dir) throws IOException {
    Path fixture = Fixtures.sdxlTiny();
    for (String c : List.of("tokenizer", "tokenizer_2", "text_encoder")) {
      Files.createDirectories(dir.resolve(c));
      try (var files = Files.list(fixture.resolve(c))) {
        for (Path f : files.toList()) {
          Files.copy(f, dir.resolve(c).resolve(f.getFileName()));
        }
      }
    }
    assertThatThrownBy(() -> SdxlTextEncoder.load(dir))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining("text_encoder_2");
  }

  @Test
  void secondEncoderWithoutProjectionIsRejected() throws IOException {
    ClipTextModel te1 = ClipTextModel.load(Fixtures.sdxlTiny().resolve("text_encoder"));
    try (ClipTextModel other = ClipTextModel.load(Fixtures.sdxlTiny().resolve("text_encoder"))) {
      assertThatThrownBy(
              () -> SdxlTextEncoder.of(encoder.tokenizer(), te1, encoder.tokenizer2(), other, true))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("text_projection");
    } finally {
      te1.close();
    }
  }

  @Test
  void valueTypesRejectNullsAndCompareByValue() {
    new NullPointerTester().testAllPublicConstructors(PromptRequest.class);
    new NullPointerTester().testAllPublicStaticMethods(PromptRequest.class);
    new NullPointerTester().testAllPublicInstanceMethods(PromptRequest.builder("a"));
    new EqualsTester()
        .addEqualityGroup(
            PromptRequest.builder("a").negativePrompt("n").build(),
            new PromptRequest(List.of("a"), List.of(), true, List.of("n"), List.of()))
        .addEqualityGroup(PromptRequest.builder("a").build())
        .testEquals();
  }
}
