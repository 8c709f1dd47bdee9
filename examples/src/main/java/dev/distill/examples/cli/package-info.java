/**
 * The {@code distill} command line: {@link dev.distill.examples.cli.DistillCli} (the top command)
 * and one picocli {@code @Command} class per subcommand, each a {@link
 * dev.distill.examples.cli.JobCommand} that checks its options, turns them into the example's
 * {@code Options} record and hands that to a {@link dev.distill.examples.cli.Job}.
 *
 * <p>Adding a subcommand: write one {@code JobCommand} subclass (a no-argument constructor that
 * binds the real job, and one taking a {@code Job} for tests) and list it in {@code DistillCli}'s
 * {@code subcommands}. Mistakes in the options exit 2 with one line naming the option, the value
 * and what was expected; failures during the run exit 1 with the cause's message.
 */
package dev.distill.examples.cli;
