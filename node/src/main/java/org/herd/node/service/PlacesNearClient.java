package org.herd.node.service;

/**
 * What is near a client (WHATSAT, {@code GET /v1/clients/{id}/nearby}): up to {@code limit}
 * places within {@code radiusKm} of the client's newest position.
 */
public record PlacesNearClient(String client, double radiusKm, int limit) {
}
