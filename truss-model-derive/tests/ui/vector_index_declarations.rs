//! Mistakes in declaring vector indexes, all reported at once.
use truss_model::Entity;

#[derive(Entity, serde::Serialize, serde::Deserialize)]
#[truss(pk = "DOC#{id}", sk = "META", index(name = "Taken", partition = [tenant]))]
struct Doc {
    id: String,
    tenant: String,
    kind: String,
    #[truss(vector(index = "by_zero", dimensions = 0, distance = "cosine"))]
    #[truss(vector(index = "by_huge", dimensions = 4097, distance = "cosine"))]
    #[truss(vector(index = "by_manhattan", dimensions = 3, distance = "manhattan"))]
    #[truss(vector(index = "no", dimensions = 3, distance = "cosine"))]
    #[truss(vector(index = "Taken", dimensions = 3, distance = "cosine"))]
    #[truss(vector(index = "by_tenant", dimensions = 3, distance = "cosine", partition = tennant))]
    #[truss(vector(index = "by_twice", dimensions = 3, distance = "cosine", partition = kind, filters = [kind]))]
    #[truss(vector(dimensions = 3, distance = "cosine"))]
    #[truss(vector(index = "by_shape", dimensions = 3, distance = "cosine", projection = "some"))]
    embedding: Vec<f32>,
}

#[derive(Entity, serde::Serialize, serde::Deserialize)]
#[truss(pk = "MEMO#{id}", sk = "META")]
struct Memo {
    id: String,
    #[truss(vector(index = "by_meaning", dimensions = 3, distance = "cosine"))]
    embedding: Option<Vec<f32>>,
}

#[derive(Entity, serde::Serialize, serde::Deserialize)]
#[truss(pk = "NOTE#{id}", sk = "META")]
struct Note {
    id: String,
    #[serde(skip)]
    draft: String,
    #[serde(rename(serialize = "lang", deserialize = "language"))]
    lang: String,
    #[truss(vector(index = "by_draft", dimensions = 3, distance = "cosine", filters = [draft]))]
    #[truss(vector(index = "by_lang", dimensions = 3, distance = "cosine", partition = lang))]
    embedding: Vec<f32>,
}

fn main() {}
