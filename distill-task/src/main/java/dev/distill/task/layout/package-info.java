/**
 * Target annotations ã for task-driven distillation (UniDD beyond classification): layouts drawn
 * from the statistics of the real training annotations.
 *
 * <p>(Not named {@code target}: that is Maven's build folder, ignored by {@code .gitignore} and by
 * most tools.)
 *
 * @since 0.1.0
 */
package dev.distill.task.layout;
