// Module ids named from paths relative to this folder, so a build is the same wherever the
// checkout is (the default hashes put the absolute path into the container entry's id).
module.exports = { optimization: { moduleIds: "named", chunkIds: "named" } };
