/**
 * Golden parity against a fixture folder computed by the reference Python implementation (diffusers
 * + transformers): {@link dev.distill.sdxl.parity.ParityCheck} runs every case and prints the worst
 * error per case.
 *
 * @since 0.1.0
 */
package dev.distill.sdxl.parity;
