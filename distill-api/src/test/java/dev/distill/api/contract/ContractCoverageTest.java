package dev.distill.api.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.distill.api.GuidanceContext;
import dev.distill.api.GuidanceTerm;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

/** The guard itself: it finds uncovered implementations and only those. */
class ContractCoverageTest {
  private static final List<Class<?>> TOYS =
      List.of(
          ToyModels.ToySampler.class,
          ToyModels.PoolEncoder.class,
          ToyModels.PullToClassValue.class,
          ToyModels.HardLabelMatcher.class,
          ToyModels.LinearProbeEvaluator.class);

  private static final List<Class<?>> TOY_TESTS =
      List.of(
          ToyContractTests.ToySamplerHonoursSamplerContract.class,
          ToyContractTests.PoolEncoderHonoursEncoderContract.class,
          ToyContractTests.PullToClassValueHonoursGuidanceTermContract.class,
          ToyContractTests.HardLabelMatcherHonoursMatcherContract.class,
          ToyContractTests.LinearProbeEvaluatorHonoursEvaluatorContract.class);

  /** Also an implementation (of two interfaces), named and package-private. */
  static final class TwoFaced implements GuidanceTerm, dev.distill.api.Matcher {
    @Override
    public Tensor loss(GuidanceContext ctx) {
      return ctx.latents();
    }

    @Override
    public Tensor loss(Tensor studentLogits, Tensor images, Tensor labels) {
      return studentLogits;
    }

    @Override
    public String name() {
      return "two-faced";
    }
  }

  /** A contract subclass that forgot its annotation (abstract, so JUnit never runs it). */
  abstract static class Unannotated extends MatcherContract {}

  /** A concrete one; a local class, which JUnit does not discover as a test. */
  private static Class<?> concreteUnannotated() {
    class ConcreteUnannotated extends Unannotated {
      @Override
      protected dev.distill.api.Matcher createMatcher() {
        return new TwoFaced();
      }

      @Override
      protected int numClasses() {
        return 2;
      }

      @Override
      protected long[] imageShape() {
        return new long[] {1, 4, 4};
      }
    }
    return ConcreteUnannotated.class;
  }

  @Test
  public void everyToyImplementationIsCovered() {
    assertThat(ContractCoverage.problems(TOYS, TOY_TESTS)).isEmpty();
  }

  @Test
  public void removingAContractTestReportsTheUncoveredImplementationByName() {
    for (int i = 0; i < TOY_TESTS.size(); i++) {
      List<Class<?>> tests = new ArrayList<>(TOY_TESTS);
      tests.remove(i);
      assertThat(ContractCoverage.problems(TOYS, tests))
          .singleElement()
          .asString()
          .startsWith(TOYS.get(i).getName() + " implements ")
          .contains("@Covers(" + TOYS.get(i).getSimpleName() + ".class)");
    }
  }

  @Test
  public void aClassImplementingTwoInterfacesNeedsBothContracts() {
    assertThat(ContractCoverage.problems(List.of(TwoFaced.class), List.of()))
        .containsExactly(
            TwoFaced.class.getName()
                + " implements GuidanceTerm but no test class extends GuidanceTermContract with"
                + " @Covers(TwoFaced.class)",
            TwoFaced.class.getName()
                + " implements Matcher but no test class extends MatcherContract with"
                + " @Covers(TwoFaced.class)");
  }

  @Test
  public void aContractTestWithoutCoversIsReportedAndCoversNothing() {
    Class<?> concrete = concreteUnannotated();
    assertThat(ContractCoverage.problems(List.of(), List.of(Unannotated.class, concrete)))
        .containsExactly(
            concrete.getName()
                + " extends a contract but has no @Covers(<implementation>.class) annotation");
  }

  @Test
  public void aCoversDeclarationMustNameTheCreatedClass() {
    assertThatThrownBy(
            () ->
                ContractCoverage.assertCovers(
                    ToyContractTests.PoolEncoderHonoursEncoderContract.class, new TwoFaced()))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining(ToyModels.PoolEncoder.class.getName());
    assertThatThrownBy(() -> ContractCoverage.assertCovers(concreteUnannotated(), new TwoFaced()))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("must be annotated @Covers");
  }

  @Test
  public void anonymousClassesAndLambdasAreNotImplementations() {
    GuidanceTerm lambda = ctx -> ctx.latents();
    GuidanceTerm anonymous =
        new GuidanceTerm() {
          @Override
          public Tensor loss(GuidanceContext ctx) {
            return ctx.latents();
          }
        };
    assertThat(ContractCoverage.countsAsImplementation(lambda.getClass())).isFalse();
    assertThat(ContractCoverage.countsAsImplementation(anonymous.getClass())).isFalse();
    assertThat(ContractCoverage.countsAsImplementation(TwoFaced.class)).isTrue();
    assertThat(ContractCoverage.countsAsImplementation(Unannotated.class)).isFalse();
  }
}
