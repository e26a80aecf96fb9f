//! Binary .evtx files, behind feature `evtx` so the browser loads this code only when one is
//! dropped (in its own Wasm module, off the main thread).
//!
//! The `evtx` crate renders each record as event XML; [`super::events`] reads that XML like any
//! other export, so an .evtx file and its XML export give the same report.

use std::sync::Arc;

use evtx::{EvtxChunkData, EvtxParser, ParserSettings};

use super::events::{self, EventFormat, EventRecord, EventReport, xml};
use super::{AnalyzeError, check_size};

/// Same ceiling as text exports: a 100 MB log must work in a browser tab.
pub const MAX_INPUT_BYTES: usize = events::MAX_INPUT_BYTES;
const EVTX_MAGIC: &[u8] = b"ElfFile\0";

/// Every record of an .evtx file, oldest first, as [`EventRecord`]s. Records are rendered one
/// 64 KiB chunk at a time, so memory stays at the file plus one chunk. A damaged chunk or
/// record comes out as an error and iteration goes on with the next.
pub fn records(
    bytes: Vec<u8>,
) -> Result<impl Iterator<Item = Result<EventRecord, AnalyzeError>>, AnalyzeError> {
    check_size(&bytes, MAX_INPUT_BYTES)?;
    if !bytes.starts_with(EVTX_MAGIC) {
        return Err(AnalyzeError::Evtx(
            "this is not an .evtx file (it does not start with \"ElfFile\")".into(),
        ));
    }
    // One thread: the browser has none to spare, and the caller already runs off the main thread.
    let settings = Arc::new(ParserSettings::new().num_threads(1));
    let parser = EvtxParser::from_buffer(bytes)
        .map_err(evtx_error)?
        .with_configuration((*settings).clone());
    Ok(parser
        .into_chunks()
        .flat_map(move |chunk| chunk_records(chunk, &settings)))
}

fn chunk_records(
    chunk: evtx::err::Result<EvtxChunkData>,
    settings: &Arc<ParserSettings>,
) -> Vec<Result<EventRecord, AnalyzeError>> {
    let mut data = match chunk {
        Ok(data) => data,
        Err(e) => return vec![Err(evtx_error(e))],
    };
    let mut chunk = match data.parse(Arc::clone(settings)) {
        Ok(chunk) => chunk,
        Err(e) => return vec![Err(AnalyzeError::Evtx(e.to_string()))],
    };
    chunk
        .iter()
        .map(|record| {
            let rendered = record.and_then(|r| r.into_xml()).map_err(evtx_error)?;
            xml::parse_event(&rendered.data).ok_or_else(|| {
                AnalyzeError::Evtx(format!(
                    "record {} is not readable event XML",
                    rendered.event_record_id
                ))
            })
        })
        .collect()
}

fn evtx_error(error: evtx::err::EvtxError) -> AnalyzeError {
    AnalyzeError::Evtx(error.to_string())
}

/// Reads and analyses an .evtx file.
pub fn analyze(bytes: Vec<u8>) -> Result<EventReport, AnalyzeError> {
    analyze_at(bytes, None)
}

/// Like [`analyze`], with the time the connection failed (see `events::analyze_at`).
pub fn analyze_at(bytes: Vec<u8>, failed_at: Option<i64>) -> Result<EventReport, AnalyzeError> {
    Ok(events::analyze_fallible_records(
        records(bytes)?,
        EventFormat::Evtx,
        failed_at,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_what_is_not_an_evtx_file() {
        assert!(
            matches!(analyze(b"<Event/>".to_vec()), Err(AnalyzeError::Evtx(message)) if message.contains("ElfFile"))
        );
        assert_eq!(analyze(Vec::new()).err(), Some(AnalyzeError::Empty));
        // A valid magic with a truncated header is an error, not a panic.
        let mut truncated = EVTX_MAGIC.to_vec();
        truncated.extend_from_slice(&[0; 40]);
        assert!(analyze(truncated).is_err());
    }
}
