package dev.rewind.symbols;

/**
 * A variable's value in a stopped frame, formatted as gdb prints it ({@code 42},
 * {@code 0x80002300}, {@code {value = 3, next = 0x0}}, {@code <optimized out>}), with its
 * type's C spelling and where it lives (for writing it back or showing its address).
 */
public record VariableValue(String name, String type, String value, Location location, boolean parameter) {

    @Override
    public String toString() {
        return name + " = " + value;
    }
}
