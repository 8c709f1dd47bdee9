package dev.distill.core.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class SchedulerParityTest {

  @Test
  void everySchedulerCaseMatchesDiffusers() throws Exception {
    List<SchedulerParity.Result> results = SchedulerParity.run(SchedulerFixtures.schedulersFile());
    results.forEach(System.out::println);

    assertThat(results).extracting(SchedulerParity.Result::caseName)
        .contains("euler.n30", "euler_trailing.n1", "euler_ancestral.n4", "ddim.n30", "dpmpp_2m_karras.n30", "ddim");
    assertThat(results.stream().filter(r -> !r.passed()).map(Object::toString)
        .collect(Collectors.joining("\n"))).isEmpty();
  }
}
