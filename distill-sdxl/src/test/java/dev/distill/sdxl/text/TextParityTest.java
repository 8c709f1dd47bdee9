package dev.distill.sdxl.text;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextParityTest {

  private static void report(List<ParityCase> cases) {
    cases.forEach(c -> System.out.println(c.summary()));
  }

  @Test
  void tokenizersMatchTheReferenceExactlyForEveryPrompt() throws Exception {
    List<ParityCase> cases = TextParity.tokenizers(Fixtures.sdxlTiny());
    report(cases);
    assertThat(cases).hasSizeGreaterThanOrEqualTo(2 * (2 + 3 * 6));
    assertThat(cases).allSatisfy(c -> assertThat(c.passed()).as(c.summary()).isTrue());
  }

  @Test
  void textEncodersMatchTheFp32ReferenceWithinTolerance() throws Exception {
    List<ParityCase> cases = TextParity.textEncoders(Fixtures.sdxlTiny());
    report(cases);
    assertThat(cases)
        .extracting(ParityCase::name)
        .contains(
            "text_encoders:te1.penultimate",
            "text_encoders:te2.text_embeds",
            "text_encoders:te1.pooler_output",
            "text_encoders:te2.hidden_states");
    assertThat(cases).allSatisfy(c -> assertThat(c.passed()).as(c.summary()).isTrue());
  }

  @Test
  void textEncodersInFloat64MatchTheFloat64Reference() throws Exception {
    List<ParityCase> cases = TextParity.textEncodersFloat64(Fixtures.sdxlTiny());
    report(cases);
    assertThat(cases).isNotEmpty();
    assertThat(cases).allSatisfy(c -> assertThat(c.passed()).as(c.summary()).isTrue());
  }

  @Test
  void pipelineConditioningMatchesEncodePrompt() throws Exception {
    List<ParityCase> cases = TextParity.promptConditioning(Fixtures.sdxlTiny());
    report(cases);
    assertThat(cases)
        .extracting(ParityCase::name)
        .contains(
            "pipeline:euler_cfg5.negative_prompt_embeds",
            "pipeline:euler_cfg5_noneg.negative_pooled_prompt_embeds",
            "pipeline:euler_cfg1.prompt_embeds");
    assertThat(cases).allSatisfy(c -> assertThat(c.passed()).as(c.summary()).isTrue());
  }

  @Test
  void casesAreDiscoveredFromTheFilesAndMismatchesAreReported(@TempDir Path dir) throws Exception {
    Path fixture = Fixtures.sdxlTiny();
    Files.createDirectories(dir.resolve("cases"));
    Files.createDirectories(dir.resolve("tokenizer_2"));
    try (var files = Files.list(fixture.resolve("tokenizer_2"))) {
      for (Path f : files.toList()) {
        Files.copy(f, dir.resolve("tokenizer_2").resolve(f.getFileName()));
      }
    }
    ObjectMapper json = new ObjectMapper();
    ObjectNode root = (ObjectNode) json.readTree(fixture.resolve("cases/tokenizer.json").toFile());
    root.remove("tokenizer");
    ObjectNode t2 = (ObjectNode) root.get("tokenizer_2");
    for (String key :
        List.of("input_ids", "bpe_tokens_untruncated", "ids_untruncated_with_special")) {
      ArrayNode a = (ArrayNode) t2.get(key);
      while (a.size() > 2) {
        a.remove(2);
      }
    }
    ArrayNode prompts = (ArrayNode) root.get("prompts");
    while (prompts.size() > 2) {
      prompts.remove(2);
    }
    ((ArrayNode) t2.get("input_ids").get(1)).set(3, 999);
    Files.writeString(dir.resolve("cases/tokenizer.json"), json.writeValueAsString(root));

    List<ParityCase> cases = TextParity.tokenizers(dir);
    report(cases);
    assertThat(cases).hasSize(2 + 2 * 3);
    assertThat(cases)
        .filteredOn(c -> !c.passed())
        .extracting(ParityCase::name)
        .containsExactly("tokenizer_2.input_ids[p1]");
    assertThat(cases)
        .filteredOn(c -> !c.passed())
        .first()
        .extracting(ParityCase::detail)
        .asString()
        .contains("first at 3")
        .contains("999");
  }

  @Test
  void compareFollowsAllcloseAndReportsTheWorstElement() {
    try (TensorScope s = TensorScope.open()) {
      var expected = Tensors.fromFloats(new float[] {1f, 100f, -2f, 0f}, 2, 2);
      var close = Tensors.fromFloats(new float[] {1.00001f, 100.005f, -2f, 0f}, 2, 2);
      var far = Tensors.fromFloats(new float[] {1f, 100f, -2.1f, 0f}, 2, 2);
      var nan = Tensors.fromFloats(new float[] {Float.NaN, 100f, -2f, 0f}, 2, 2);
      assertThat(TextParity.compare("c", close, expected, 1e-4, 1e-4).passed()).isTrue();
      ParityCase bad = TextParity.compare("f", far, expected, 1e-4, 1e-4);
      assertThat(bad.passed()).isFalse();
      assertThat(bad.maxAbsError()).isCloseTo(0.1, org.assertj.core.data.Offset.offset(1e-5));
      assertThat(bad.detail()).contains("[1, 0]");
      assertThat(TextParity.compare("n", nan, expected, 1, 1).passed()).isFalse();
      assertThat(TextParity.compare("s", expected.view(4), expected, 1, 1).passed()).isFalse();
    }
  }
}
