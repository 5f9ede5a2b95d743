/**
 * Symbols and DWARF debug information of RISC-V ELF64 programs, for a debugger: pure Java,
 * no dependencies.
 *
 * <p>Start with {@link dev.rewind.symbols.ProgramSymbols#load(java.nio.file.Path)}. It answers
 * address to function ({@code functionAt}) and to file:line ({@code lineFor}), file:line to
 * breakpoint addresses ({@code addressesFor}), function name to breakpoint addresses
 * ({@code breakpointAddresses}), unwinds the call stack of a stopped hart from its registers
 * and memory ({@code unwind}), and reads parameters, locals and globals
 * ({@code variables}, {@code globalValue}).
 *
 * <p>What is read: the ELF header, section headers and {@code .symtab}
 * ({@link dev.rewind.symbols.ElfFile}); DWARF 2-5 line programs ({@code .debug_line},
 * {@code .debug_line_str}); compilation units, functions, inlined copies, types and variables
 * from {@code .debug_info}/{@code .debug_abbrev} with {@code .debug_str},
 * {@code .debug_str_offsets}, {@code .debug_addr}, {@code .debug_rnglists}/{@code .debug_ranges}
 * and {@code .debug_loclists}/{@code .debug_loc}; call frame information from
 * {@code .debug_frame}, or {@code .eh_frame} when built with unwind tables.
 *
 * <p>Errors: a file that is not a readable little-endian RISC-V ELF64 fails to load with a
 * {@link dev.rewind.symbols.SymbolsException}; damaged debug sections are listed by
 * {@code problems()} and leave their queries empty. Queries never throw on odd data: the
 * unwinder stops at the last trustworthy frame and unreadable values print as gdb would.
 *
 * <p>Loaded objects are immutable; queries may run from several threads.
 */
package dev.rewind.symbols;
