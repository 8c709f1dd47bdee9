package dev.distill.api.contract;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.reflect.ClassPath;
import dev.distill.api.Encoder;
import dev.distill.api.Evaluator;
import dev.distill.api.GuidanceTerm;
import dev.distill.api.Matcher;
import dev.distill.api.Sampler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Modifier;
import java.net.URL;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Finds implementations of the api interfaces that no contract test runs against: the guard that
 * makes "every implementation subclasses its contract" (STYLE.md rule 18) a failing test rather
 * than a convention.
 *
 * <p>An <em>implementation</em> is a concrete, named class (top-level or nested, of any visibility;
 * anonymous classes, local classes and lambdas are not counted) that implements {@link Encoder},
 * {@link Sampler}, {@link GuidanceTerm}, {@link Matcher} or {@link Evaluator}. It is
 * <em>covered</em> for one of those interfaces when a concrete test class extends the interface's
 * contract and is annotated {@code @Covers(TheImplementation.class)}; a class implementing two
 * interfaces needs two contract tests. A concrete contract subclass without {@code @Covers} is
 * reported too.
 *
 * <p>Each module with implementations runs {@link #assertEveryImplementationHasAContractTest} from
 * one test (its {@code ContractCoverageTest}). Stateless and thread-safe.
 *
 * @since 0.1.0
 */
public final class ContractCoverage {
  /** Each api interface and the contract its implementations must run, in a fixed order. */
  public static final Map<Class<?>, Class<?>> CONTRACTS = contracts();

  private ContractCoverage() {}

  private static Map<Class<?>, Class<?>> contracts() {
    Map<Class<?>, Class<?>> m = new LinkedHashMap<>();
    m.put(Encoder.class, EncoderContract.class);
    m.put(Sampler.class, SamplerContract.class);
    m.put(GuidanceTerm.class, GuidanceTermContract.class);
    m.put(Matcher.class, MatcherContract.class);
    m.put(Evaluator.class, EvaluatorContract.class);
    return java.util.Collections.unmodifiableMap(m);
  }

  /**
   * The problems of a set of main and test classes, one readable sentence each (empty: all
   * covered).
   *
   * @param mainClasses the classes that may implement api interfaces
   * @param testClasses the classes that may be contract tests
   * @return one line per uncovered (implementation, interface) pair and per contract subclass
   *     without {@link Covers}, sorted
   */
  public static List<String> problems(
      Collection<Class<?>> mainClasses, Collection<Class<?>> testClasses) {
    List<String> problems = new ArrayList<>();
    for (Class<?> test : testClasses) {
      if (isContractTest(test) && test.getAnnotation(Covers.class) == null) {
        problems.add(
            test.getName()
                + " extends a contract but has no @Covers(<implementation>.class) annotation");
      }
    }
    for (Class<?> impl : mainClasses) {
      if (!countsAsImplementation(impl)) {
        continue;
      }
      for (Map.Entry<Class<?>, Class<?>> e : CONTRACTS.entrySet()) {
        if (!e.getKey().isAssignableFrom(impl)) {
          continue;
        }
        boolean covered =
            testClasses.stream()
                .anyMatch(
                    t ->
                        isConcrete(t)
                            && e.getValue().isAssignableFrom(t)
                            && t.getAnnotation(Covers.class) != null
                            && t.getAnnotation(Covers.class).value().equals(impl));
        if (!covered) {
          problems.add(
              impl.getName()
                  + " implements "
                  + e.getKey().getSimpleName()
                  + " but no test class extends "
                  + e.getValue().getSimpleName()
                  + " with @Covers("
                  + impl.getSimpleName()
                  + ".class)");
        }
      }
    }
    problems.sort(Comparator.naturalOrder());
    return problems;
  }

  /**
   * Fails, naming every uncovered implementation, unless each implementation among the main classes
   * of the calling module under {@code basePackage} has a contract test among its test classes.
   *
   * <p>Main and test classes are told apart by where they were loaded from: the test classes are
   * those loaded from the same place as {@code guardTest} (the module's {@code test-classes}), the
   * main classes all others under {@code basePackage} (the module's {@code classes}). Classes are
   * loaded without being initialised.
   *
   * @param guardTest the calling test class, in the module's test classes
   * @param basePackage the module's base package, e.g. {@code "dev.distill.core"}
   * @return the number of implementations found, so a caller can assert the scan saw something
   * @throws AssertionError listing the problems
   */
  public static int assertEveryImplementationHasAContractTest(
      Class<?> guardTest, String basePackage) {
    Objects.requireNonNull(guardTest, "guardTest");
    Objects.requireNonNull(basePackage, "basePackage");
    URL testLocation = location(guardTest);
    List<Class<?>> main = new ArrayList<>();
    List<Class<?>> tests = new ArrayList<>();
    ClassLoader loader = guardTest.getClassLoader();
    try {
      for (ClassPath.ClassInfo info : ClassPath.from(loader).getAllClasses()) {
        String name = info.getName();
        if (!name.startsWith(basePackage + ".") || name.endsWith("package-info")) {
          continue;
        }
        Class<?> c;
        try {
          c = Class.forName(name, false, loader);
        } catch (ClassNotFoundException | LinkageError e) {
          throw new AssertionError("cannot load " + name + " to check its contract coverage", e);
        }
        if (testLocation.equals(location(c))) {
          tests.add(c);
        } else {
          main.add(c);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot scan the class path of " + guardTest.getName(), e);
    }
    List<String> problems = problems(main, tests);
    assertThat(problems)
        .as(
            "implementations of api interfaces in %s without a contract test (subclass the"
                + " contract in the module's tests and annotate it @Covers(Impl.class); a private"
                + " implementation must become package-private to be named)",
            basePackage)
        .isEmpty();
    return (int) main.stream().filter(ContractCoverage::countsAsImplementation).count();
  }

  /**
   * Checks a contract subclass's {@link Covers} declaration against the instance it created; each
   * contract calls this from a test.
   *
   * @param contractTest the running contract subclass
   * @param created the implementation instance it created
   * @throws AssertionError if the annotation is missing or names another class
   */
  static void assertCovers(Class<?> contractTest, Object created) {
    Covers covers = contractTest.getAnnotation(Covers.class);
    assertThat(covers)
        .as("%s must be annotated @Covers(<implementation>.class)", contractTest.getName())
        .isNotNull();
    assertThat(created).as("the instance %s creates", contractTest.getSimpleName()).isNotNull();
    assertThat(created.getClass().getName())
        .as("@Covers of %s must name the class it creates", contractTest.getName())
        .isEqualTo(covers.value().getName());
  }

  /** Whether a class counts as an implementation that needs a contract test. */
  static boolean countsAsImplementation(Class<?> c) {
    return isConcrete(c)
        && !c.isAnonymousClass()
        && !c.isLocalClass()
        && !c.isSynthetic()
        && !c.getName().contains("$$Lambda")
        && CONTRACTS.keySet().stream().anyMatch(i -> i.isAssignableFrom(c));
  }

  private static boolean isContractTest(Class<?> c) {
    return isConcrete(c) && CONTRACTS.values().stream().anyMatch(k -> k.isAssignableFrom(c));
  }

  private static boolean isConcrete(Class<?> c) {
    return !c.isInterface() && !c.isAnnotation() && !Modifier.isAbstract(c.getModifiers());
  }

  private static URL location(Class<?> c) {
    CodeSource source = c.getProtectionDomain().getCodeSource();
    if (source == null || source.getLocation() == null) {
      throw new AssertionError("cannot tell where " + c.getName() + " was loaded from");
    }
    return source.getLocation();
  }
}
