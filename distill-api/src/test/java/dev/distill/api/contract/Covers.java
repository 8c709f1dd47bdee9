package dev.distill.api.contract;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares the implementation class a contract test subclass runs its contract against, e.g.
 * {@code @Covers(BuiltinSampler.class) class BuiltinSamplerContractTest extends SamplerContract}.
 *
 * <p>Required on every concrete subclass of a contract ({@link SamplerContract}, {@link
 * EncoderContract}, {@link GuidanceTermContract}, {@link MatcherContract}, {@link
 * EvaluatorContract}). The declaration cannot lie: each contract checks that the instance its
 * subclass creates is exactly of this class. {@link ContractCoverage} reads the annotation to find
 * the implementations of an api interface that no contract test covers.
 *
 * @since 0.1.0
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface Covers {
  /**
   * The implementation class, exactly the runtime class of the instance the contract test creates.
   *
   * @return the covered class
   */
  Class<?> value();
}
