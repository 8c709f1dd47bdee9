package dev.distill.sdxl.parity;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distill.sdxl.nn.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextParityTest {

  private static void report(List<CaseResult> cases) {
    cases.forEach(c -> System.out.println(c.line()));
  }

  @Test
  void tokenizersMatchTheReferenceExactlyForEveryPrompt() throws Exception {
    List<CaseResult> cases = TextParity.tokenizers(Fixtures.sdxlTiny());
    report(cases);
    assertThat(cases).hasSizeGreaterThanOrEqualTo(2 * (2 + 3 * 6));
    assertThat(cases).allSatisfy(c -> assertThat(c.pass()).as(c.line()).isTrue());
  }

  @Test
  void textEncodersMatchTheFp32ReferenceWithinTolerance() throws Exception {
    List<CaseResult> cases = TextParity.textEncoders(Fixtures.sdxlTiny());
    report(cases);
    assertThat(cases)
        .extracting(CaseResult::name)
        .contains(
            "text_encoders:te1.penultimate",
            "text_encoders:te2.text_embeds",
            "text_encoders:te1.pooler_output",
            "text_encoders:te2.hidden_states");
    assertThat(cases).allSatisfy(c -> assertThat(c.pass()).as(c.line()).isTrue());
  }

  @Test
  void textEncodersInFloat64MatchTheFloat64Reference() throws Exception {
    List<CaseResult> cases = TextParity.textEncodersFloat64(Fixtures.sdxlTiny());
    report(cases);
    assertThat(cases).isNotEmpty();
    assertThat(cases).allSatisfy(c -> assertThat(c.pass()).as(c.line()).isTrue());
  }

  @Test
  void pipelineConditioningMatchesEncodePrompt() throws Exception {
    List<CaseResult> cases = TextParity.promptConditioning(Fixtures.sdxlTiny());
    report(cases);
    assertThat(cases)
        .extracting(CaseResult::name)
        .contains(
            "pipeline:euler_cfg5.negative_prompt_embeds",
            "pipeline:euler_cfg5_noneg.negative_pooled_prompt_embeds",
            "pipeline:euler_cfg1.prompt_embeds");
    assertThat(cases).allSatisfy(c -> assertThat(c.pass()).as(c.line()).isTrue());
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

    List<CaseResult> cases = TextParity.tokenizers(dir);
    report(cases);
    assertThat(cases).hasSize(2 + 2 * 3);
    assertThat(cases)
        .filteredOn(c -> !c.pass())
        .extracting(CaseResult::name)
        .containsExactly("tokenizer_2.input_ids[p1]");
    assertThat(cases)
        .filteredOn(c -> !c.pass())
        .first()
        .extracting(CaseResult::detail)
        .asString()
        .contains("first at 3")
        .contains("999");
  }
}
