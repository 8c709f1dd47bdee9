/**
 * Unsupported internals of distill-sdxl, public only so that other packages of the library can
 * reach them: the parity harness reads pipeline internals through {@link
 * dev.distill.sdxl.internal.PipelineAccess}; the layers shared by the UNet, VAE and text encoders
 * are in {@code dev.distill.sdxl.internal.nn}. Not part of the API: anything here may change or
 * disappear in any release, without notice. Excluded from Javadoc.
 */
package dev.distill.sdxl.internal;
