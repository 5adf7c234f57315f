mod common;

#[test]
fn deploys() {
    let w = common::world();
    assert_eq!(w.pools.len(), 2);
}
