package dev.rewind.emulator;

import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.TreeSet;

import org.junit.Test;

/**
 * The code pages a recording's index keeps per stretch (reverse continue skips the stretches a
 * breakpoint's page is not in) hold every page an instruction ran from, checked against an
 * instruction-by-instruction trace of the same stretches.
 */
public class CodePagesHoldEveryPageCodeRanFromTest {

    /** Instructions per stretch: short, so that whole stretches run inside chains of linked blocks. */
    private static final long STRETCH = 97;

    @Test
    public void everyPageCodeRanFromIsNotedAlsoWhereBlocksEnterEachOtherThroughLinks() throws Exception {
        ElfImage elf = ElfImage.read(Guests.assembleFile(TranslatedBlocksMatchInterpreterTest.CROSS_PAGE_CHAINS,
                "rv64imac_zicsr_zifencei", "lp64"));
        VirtMachine traced = Guests.machine(elf, new ByteArrayOutputStream());
        traced.translateHotCode(false);
        VirtMachine fast = Guests.machine(elf, new ByteArrayOutputStream());
        fast.translateHotCode(true);
        CodePages pages = new CodePages();
        fast.observeCodePages(pages);
        StopReason r = StopReason.LIMIT;
        while (r == StopReason.LIMIT) {
            long from = fast.icount();
            r = fast.run(from + STRETCH);
            long[] noted = pages.drain();
            TreeSet<Long> ran = new TreeSet<>();
            while (traced.icount() < fast.icount()) {
                traced.step((pc, icount) -> ran.add(pc >>> 12));
            }
            for (long page : ran) {
                assertTrue("stretch [" + from + ", " + fast.icount() + ") ran code on page 0x" + Long.toHexString(page)
                        + " but noted " + Arrays.toString(noted), Arrays.binarySearch(noted, page) >= 0);
            }
        }
        assertTrue("the guest ran to its end: " + r, r == StopReason.EXIT);
        assertTrue("blocks entered blocks through links", fast.blocksLinked() > fast.blocksEntered());
    }
}
