package main

// mpaRegion is the Region of the instances mpa sees (mpa.ICDirectory): serve answers in us-east-1,
// the server's default (internal/server), as it has no Region setting.
const mpaRegion = "us-east-1"
