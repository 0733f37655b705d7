//! Builders for synthetic packages used by several test files.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

pub const CORPUS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/corpus/solutions"
);

pub fn corpus(rel: &str) -> PathBuf {
    PathBuf::from(CORPUS).join(rel)
}

pub fn manifest(unique: &str, version: &str, managed: u8) -> String {
    format!(
        "<ImportExportXml version=\"9.2.24024.204\" SolutionPackageVersion=\"9.2\" languagecode=\"1033\" \
         generatedBy=\"CrmLive\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\r\n\
         <SolutionManifest><UniqueName>{unique}</UniqueName>\
         <LocalizedNames><LocalizedName description=\"Display &amp; name\" languagecode=\"1033\" /></LocalizedNames>\
         <Descriptions /><Version>{version}</Version><Managed>{managed}</Managed>\
         <Publisher><UniqueName>pub</UniqueName><LocalizedNames><LocalizedName description=\"Pub\" languagecode=\"1033\" /></LocalizedNames>\
         <CustomizationPrefix>pp</CustomizationPrefix><CustomizationOptionValuePrefix>10000</CustomizationOptionValuePrefix>\
         <EMailAddress xsi:nil=\"true\"></EMailAddress></Publisher>\
         <RootComponents><RootComponent type=\"1\" schemaName=\"account\" behavior=\"2\" /></RootComponents>\
         <MissingDependencies /></SolutionManifest></ImportExportXml>"
    )
}

pub const CUSTOMIZATIONS: &str = "<ImportExportXml><Entities /><connectionreferences>\
    <connectionreference connectionreferencelogicalname=\"pp_sp\">\
    <connectionreferencedisplayname>SharePoint</connectionreferencedisplayname>\
    <connectorid>/providers/Microsoft.PowerApps/apis/shared_sharepointonline</connectorid>\
    </connectionreference></connectionreferences></ImportExportXml>";

pub const CONTENT_TYPES: &str = "<?xml version=\"1.0\" encoding=\"utf-8\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"xml\" ContentType=\"application/octet-stream\" /></Types>";

/// A valid minimal package's files.
pub fn minimal_files() -> Vec<(String, Vec<u8>)> {
    vec![
        (
            "solution.xml".into(),
            manifest("Demo", "1.0.0.1", 1).into_bytes(),
        ),
        (
            "customizations.xml".into(),
            CUSTOMIZATIONS.as_bytes().to_vec(),
        ),
        (
            "[Content_Types].xml".into(),
            CONTENT_TYPES.as_bytes().to_vec(),
        ),
    ]
}

/// Writes a zip of `files` to `dir/name`; `stored` avoids compression.
pub fn write_zip(dir: &Path, name: &str, files: &[(String, Vec<u8>)], stored: bool) -> PathBuf {
    let path = dir.join(name);
    let mut zip = ZipWriter::new(std::fs::File::create(&path).unwrap());
    let method = if stored {
        CompressionMethod::Stored
    } else {
        CompressionMethod::Deflated
    };
    let opts = SimpleFileOptions::default()
        .compression_method(method)
        .large_file(false);
    for (n, bytes) in files {
        zip.start_file(n.as_str(), opts).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap();
    path
}
