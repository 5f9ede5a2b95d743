package dev.rewind.site;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** The p2 site holds every Rewind bundle and the feature, at exactly the versions just built. */
public class UpdateSiteContentTest {

    private static final List<String> BUNDLES = List.of(
            "dev.rewind.emulator", "dev.rewind.qcow2", "dev.rewind.symbols", "dev.rewind.replay",
            "dev.rewind.gdbstub", "dev.rewind.cli", "dev.rewind.debug.core", "dev.rewind.debug.ui");

    private static Path root() {
        return Path.of(System.getProperty("rewind.root", "../.."));
    }

    private static Path repository() {
        return root().resolve("releng/dev.rewind.site/target/repository");
    }

    @Test
    public void siteHasMetadataForEveryBundleAtItsBuiltVersion() throws Exception {
        Map<String, String> units = installableUnits(repository());
        for (String bundle : BUNDLES) {
            String built = builtVersion(bundle);
            assertEquals("version of " + bundle + " in the update site", built, units.get(bundle));
            Path jar = repository().resolve("plugins/" + bundle + "_" + built + ".jar");
            assertTrue("missing artifact " + jar, Files.isRegularFile(jar));
        }
        String feature = units.get("dev.rewind.feature.feature.group");
        assertNotNull("feature group missing from " + units.keySet(), feature);
        assertTrue(feature, feature.startsWith("0.1.0."));
        assertTrue(Files.isDirectory(repository().resolve("features")));
    }

    @Test
    public void siteHasArtifactsMetadata() {
        Path r = repository();
        assertTrue("no artifacts metadata in " + r,
                Files.exists(r.resolve("artifacts.xml")) || Files.exists(r.resolve("artifacts.jar"))
                        || Files.exists(r.resolve("artifacts.xml.xz")));
    }

    /** Bundle-Version from the jar the reactor built for this bundle. */
    private static String builtVersion(String bundle) throws IOException {
        Path target = root().resolve("bundles/" + bundle + "/target");
        try (var files = Files.list(target)) {
            Path jar = files.filter(p -> p.getFileName().toString().matches(bundle.replace(".", "\\.") + "-[0-9].*\\.jar"))
                    .filter(p -> !p.getFileName().toString().contains("-sources"))
                    .findFirst().orElseThrow(() -> new AssertionError("no built jar for " + bundle + " in " + target));
            try (JarFile jf = new JarFile(jar.toFile())) {
                return jf.getManifest().getMainAttributes().getValue("Bundle-Version");
            }
        }
    }

    private static Map<String, String> installableUnits(Path repo) throws Exception {
        Document doc;
        Path xml = repo.resolve("content.xml");
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        if (Files.exists(xml)) {
            doc = f.newDocumentBuilder().parse(xml.toFile());
        } else {
            Path jar = repo.resolve("content.jar");
            assertTrue("no content metadata in " + repo, Files.exists(jar));
            try (ZipFile zip = new ZipFile(jar.toFile())) {
                ZipEntry e = zip.getEntry("content.xml");
                try (InputStream in = zip.getInputStream(e)) {
                    doc = f.newDocumentBuilder().parse(in);
                }
            }
        }
        Map<String, String> units = new TreeMap<>();
        NodeList list = doc.getElementsByTagName("unit");
        for (int i = 0; i < list.getLength(); i++) {
            Element u = (Element) list.item(i);
            units.put(u.getAttribute("id"), u.getAttribute("version"));
        }
        return units;
    }
}
