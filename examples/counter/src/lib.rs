//! # counter
//!
//! memkv's demo: a `wasi:http/proxy` guest that answers every request with how many requests
//! the store has counted, through `wasi:keyvalue/atomics@0.2.0-draft` (bucket `demo`, key
//! `requests`). It keeps no data of its own. Composed with memkv, each instance counts alone
//! (`wasmtime serve` makes one per request: every answer is 1); composed with memkv-redis, every
//! instance of every process counts in the same store.

#[cfg(target_arch = "wasm32")]
mod guest {
    use std::io::Write as _;

    use wasip2::http::types::{
        Fields, IncomingRequest, OutgoingBody, OutgoingResponse, ResponseOutparam,
    };

    mod bindings {
        wit_bindgen::generate!({
            path: ["../../wit", "wit"],
            world: "memkv:examples/counter",
            generate_all,
        });
    }

    use bindings::wasi::keyvalue0_2_0_draft::{atomics, store};

    struct Counter;

    wasip2::http::proxy::export!(Counter);

    /// The text of the answer: the count, or what the store said.
    fn count() -> String {
        let counted =
            store::open("demo").and_then(|bucket| atomics::increment(&bucket, "requests", 1));
        match counted {
            Ok(count) => format!("request {count}\n"),
            Err(store::Error::Other(message)) => format!("the store refused: {message}\n"),
            Err(error) => format!("the store refused: {error:?}\n"),
        }
    }

    impl wasip2::exports::http::incoming_handler::Guest for Counter {
        fn handle(_request: IncomingRequest, response_out: ResponseOutparam) {
            let response = OutgoingResponse::new(Fields::new());
            let Ok(body) = response.body() else {
                return;
            };
            ResponseOutparam::set(response_out, Ok(response));
            if let Ok(mut out) = body.write() {
                let _ = out.write_all(count().as_bytes());
                let _ = out.flush();
            }
            let _ = OutgoingBody::finish(body, None);
        }
    }
}
