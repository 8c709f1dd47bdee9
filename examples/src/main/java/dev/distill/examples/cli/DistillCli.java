package dev.distill.examples.cli;

import dev.distill.core.Version;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help;
import picocli.CommandLine.IFactory;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The {@code distill} command: {@code distill <command> [options]}, run by the {@code ./distill}
 * launcher at the project root and by the distribution's {@code bin/distill}.
 *
 * <p>Exit status: 0 done; 1 the run failed (the cause's message on one line, the stack trace with
 * {@code --verbose}); 2 a mistake in the command line (one line naming the option, the value and
 * what is expected). Help is coloured only on a terminal ({@link Help.Ansi#AUTO}).
 *
 * <p>A new subcommand is one {@link JobCommand} class listed in {@code subcommands} below.
 *
 * @since 0.1.0
 */
@Command(
    name = "distill",
    mixinStandardHelpOptions = true,
    versionProvider = DistillCli.VersionProvider.class,
    synopsisSubcommandLabel = "COMMAND",
    description = "Dataset distillation with diffusion models: the examples and runners.",
    subcommands = {
      CommandLine.HelpCommand.class,
      QuickStartCommand.class,
      TrainBackboneCommand.class,
      TrainTeacherCommand.class,
      TrainProxyCommand.class,
      QualityCommand.class,
      ParityCommand.class,
      ThroughputCommand.class,
      ImageFolderCommand.class,
      ExportFashionMnistCommand.class,
      SparkQuickStartCommand.class,
      RecipeACommand.class,
      TrainScenesCommand.class
    },
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
      "0:done",
      "1:the run failed (--verbose prints the stack trace)",
      "2:a mistake in the command line",
      "130:interrupted (Ctrl-C); a rerun resumes where the command supports it"
    },
    footer = "%nRun 'distill COMMAND --help' for a command's options.")
public final class DistillCli implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--verbose",
      scope = ScopeType.INHERIT,
      description = "print the stack trace when a run fails")
  boolean verbose;

  /** Prints the usage (no command given) and exits 2. */
  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return CommandLine.ExitCode.USAGE;
  }

  /**
   * The configured command line with the real jobs.
   *
   * @return a new command line
   */
  public static CommandLine commandLine() {
    return commandLine(CommandLine.defaultFactory());
  }

  /**
   * The configured command line, its commands created by {@code factory} (tests pass one that binds
   * recording jobs).
   *
   * @param factory creates the command objects
   * @return a new command line
   */
  public static CommandLine commandLine(IFactory factory) {
    CommandLine cl = new CommandLine(DistillCli.class, factory);
    ErrorHandler errors = new ErrorHandler();
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.setColorScheme(Help.defaultColorScheme(Help.Ansi.AUTO));
    cl.setParameterExceptionHandler(errors);
    cl.setExecutionExceptionHandler(errors);
    return cl;
  }

  /**
   * Runs {@code distill ARGS}.
   *
   * @param args the command line after {@code distill}
   * @return the exit status
   */
  public static int run(String... args) {
    return commandLine().execute(args);
  }

  /**
   * Runs {@code distill COMMAND ARGS} (the example mains delegate here).
   *
   * @param command the subcommand, e.g. {@code quickstart}
   * @param args its options
   * @return the exit status
   */
  public static int run(String command, String[] args) {
    List<String> all = new ArrayList<>();
    all.add(command);
    all.addAll(Arrays.asList(args));
    return run(all.toArray(new String[0]));
  }

  /**
   * Entry point of the launcher.
   *
   * @param args the command line after {@code distill}
   */
  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** {@code --version}: the library version from {@link Version}. */
  static final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"distill " + Version.get()};
    }
  }
}
