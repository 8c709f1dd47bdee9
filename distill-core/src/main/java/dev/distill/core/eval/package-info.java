/**
 * Classifier training and evaluation: {@link dev.distill.core.eval.ClassifierTrainer} (the training
 * loop shared by students and teachers), {@link dev.distill.core.eval.ClassificationEvaluator} (the
 * pinned DC/DSA-style protocol that scores a distilled set by Top-1/Top-5 of students trained on
 * it) and {@link dev.distill.core.eval.Teachers} (the shipped Fashion-MNIST reference classifier).
 *
 * @since 0.1.0
 */
package dev.distill.core.eval;
