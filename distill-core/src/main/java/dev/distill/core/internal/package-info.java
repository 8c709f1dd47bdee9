/**
 * Unsupported internals of distill-core, public only so that the library's other packages and
 * modules can reach them: the per-class method contract of the {@code Distill} pipeline ({@link
 * dev.distill.core.internal.ClassContext}, {@link dev.distill.core.internal.ClassGenerator}), used
 * by D4M, Mode-Guided, UniDD and the selections. Not part of the API: anything here may change or
 * disappear in any release, without notice. Excluded from Javadoc.
 */
package dev.distill.core.internal;
