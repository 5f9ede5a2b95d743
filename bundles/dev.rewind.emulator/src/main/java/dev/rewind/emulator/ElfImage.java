package dev.rewind.emulator;

/** A parsed RISC-V ELF64 executable (placeholder: the loader lands with the machine). */
public final class ElfImage {
    private ElfImage() {
    }
}
