// Package exporter writes a Broadsheet site out: as a WordPress export (WXR 1.2) that
// WordPress's importer accepts and that package importer reads back without loss, or as
// Broadsheet JSON Lines. Commenters' email and IP addresses are written only when the caller
// asks for them (Options.Private): an administrator's export, never a public one.
package exporter
