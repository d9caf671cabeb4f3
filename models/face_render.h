// Presenting FacePipeline results: annotation drawn into an image, and a JSON document.
#pragma once

#include <string>

#include "loaders/image.h"
#include "loaders/json.h"
#include "models/face_pipeline.h"

namespace facet::models {

// Draws into an RGB image (a gray image is converted to RGB first): per face the box (green,
// thickness from the image size), the 5 detector points (red = subject's right eye/mouth corner,
// blue = left, yellow = nose), the 68 landmarks (cyan), the 98 landmarks (magenta), and the
// head-pose axes of the similarity rotation from the nose tip (red = model x, green = model y
// (up), blue = model z (towards the camera)), drawn as an orthographic projection.
void draw_face_detections(loaders::Image* image, const FaceDetections& result);

// The result as JSON (coordinates rounded to 1e-3 px, angles in degrees):
// { "image": name, "width": W, "height": H,
//   "faces": [ { "box": [x, y, w, h], "score": s,
//                "points5": [[x, y] x5]            (YuNet only),
//                "roi": [x0, y0, x1, y1],
//                "landmarks68": [[x, y, z] x68],   (image frame; z as upstream, min z = 0)
//                "pose": { "upstream": {"yaw", "pitch", "roll"},
//                          "similarity": {"rotation": [[3] x3], "scale", "translation": [3],
//                                         "yaw", "pitch", "roll",
//                                         "rms_residual_crop_px", "rms_residual_image_px"} },
//                "landmarks98": [[x, y] x98]       (only when computed) } ],
//   "timings_ms": {"detect", "landmarks68", "landmarks98", "total"} }
loaders::Json face_detections_to_json(const FaceDetections& result, const std::string& image_name);

}  // namespace facet::models
