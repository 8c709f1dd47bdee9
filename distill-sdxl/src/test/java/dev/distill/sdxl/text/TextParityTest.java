package dev.distill.sdxl.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

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
    assertThat(cases).extracting(ParityCase::name)
        .contains("text_encoders:te1.penultimate", "text_encoders:te2.text_embeds",
            "text_encoders:te1.pooler_output", "text_encoders:te2.hidden_states");
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
    assertThat(cases).extracting(ParityCase::name)
        .contains("pipeline:euler_cfg5.negative_prompt_embeds",
            "pipeline:euler_cfg5_noneg.negative_pooled_prompt_embeds",
            "pipeline:euler_cfg1.prompt_embeds");
    assertThat(cases).allSatisfy(c -> assertThat(c.passed()).as(c.summary()).isTrue());
  }
}
